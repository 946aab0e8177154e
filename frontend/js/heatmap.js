// "When rides break" (SPEC §7 heatmap): the share of ride snapshots counted down, by the
// park's local weekday (ISO, 1 = Monday) and hour, as a plain HTML/CSS grid. Each cell's
// numbers are in its tooltip (title); the same numbers are in a table for screen readers
// (the grid itself is hidden from them). A cell the API left null (too few open cycles) is
// marked "not enough data", never coloured as if it were zero.

import * as fmt from "./format.js";
import { h, table, loading, failure, replace } from "./dom.js";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const HOURS = Array.from({ length: 24 }, (_, i) => i);

// The colour steps, by down share (upper bounds, exclusive); above the last: the top step.
const STEPS = [
  { id: 0, below: 1e-12, label: "0 %" },
  { id: 1, below: 0.02, label: "under 2 %" },
  { id: 2, below: 0.05, label: "2–5 %" },
  { id: 3, below: 0.1, label: "5–10 %" },
  { id: 4, below: 0.2, label: "10–20 %" },
  { id: 5, below: Infinity, label: "20 % or more" },
];

// The periods a heatmap can be asked for here, and the one shown first.
const HEATMAP_PERIODS = ["last_week", "last_month", "last_90_days", "last_365_days"];
const DEFAULT_PERIOD = "last_90_days";
let chosenPeriod = DEFAULT_PERIOD; // kept while the page is open, for parks and rides alike

const pad = (n) => String(n).padStart(2, "0");
export const hourSpan = (hour) => `${pad(hour)}:00–${pad((hour + 1) % 24)}:00`;
export const shareText = (share) => (share === null || share === undefined ? "not enough data" : fmt.percent(share * 100));

function step(share) {
  return STEPS.find((s) => share < s.below) || STEPS[STEPS.length - 1];
}

function cellTitle(cell, minCycles) {
  const when = `${WEEKDAYS[cell.weekday - 1]} ${hourSpan(cell.hour)}`;
  if (cell.down_share === null || cell.down_share === undefined) {
    return `${when}: not enough data (${fmt.count(cell.open_cycles)} open cycles, fewer than ${minCycles})`;
  }
  return `${when}: ${shareText(cell.down_share)} down (${fmt.count(cell.down_snapshots)} of ` +
    `${fmt.count(cell.open_snapshots)} ride snapshots, ${fmt.count(cell.open_cycles)} open cycles)`;
}

function cellAt(cells) {
  const map = new Map(cells.map((c) => [`${c.weekday}-${c.hour}`, c]));
  return (weekday, hour) => map.get(`${weekday}-${hour}`)
    || { weekday, hour, down_share: null, open_cycles: 0, down_snapshots: 0, open_snapshots: 0 };
}

function grid(body) {
  const at = cellAt(body.cells || []);
  const minCycles = body.min_open_cycles;
  return h("div", { class: "heatmap-grid", "aria-hidden": "true" },
    h("span", { class: "hm-corner" }),
    HOURS.map((hour) => h("span", { class: "hm-hour" }, hour % 3 === 0 ? pad(hour) : "")),
    WEEKDAYS.map((name, i) => [
      h("span", { class: "hm-day" }, name.slice(0, 3)),
      HOURS.map((hour) => {
        const cell = at(i + 1, hour);
        const none = cell.down_share === null || cell.down_share === undefined;
        return h("span", {
          class: `hm-cell ${none ? "hm-none" : `hm-step-${step(cell.down_share).id}`}`,
          title: cellTitle(cell, minCycles),
          dataset: { weekday: cell.weekday, hour: cell.hour, share: none ? "null" : String(cell.down_share) },
        });
      }),
    ]));
}

function legend(minCycles) {
  return h("ul", { class: "hm-legend", "aria-label": "Colour key" },
    STEPS.map((s) => h("li", {}, h("span", { class: `hm-swatch hm-step-${s.id}`, "aria-hidden": "true" }), s.label)),
    h("li", {}, h("span", { class: "hm-swatch hm-none", "aria-hidden": "true" }),
      `not enough data (fewer than ${minCycles} open cycles)`));
}

function numbersTable(body, what) {
  const at = cellAt(body.cells || []);
  return h("details", { class: "chart-table heatmap-table" },
    h("summary", {}, "The heatmap's numbers as a table"),
    table({
      caption: `Share of ${what} snapshots counted down while the park was open, by weekday and hour ` +
        `(park time, ${body.timezone}); "—" where there is not enough data`,
      columns: [
        { label: "Hour", rowHeader: true, cell: (hour) => hourSpan(hour) },
        ...WEEKDAYS.map((name, i) => ({
          label: name, numeric: true,
          cell: (hour) => {
            const share = at(i + 1, hour).down_share;
            return share === null || share === undefined ? fmt.NO_DATA : shareText(share);
          },
        })),
      ],
      rows: HOURS,
    }));
}

function heatmapBody(body, kind) {
  const what = kind === "ride" ? "this ride's" : "ride";
  const span = body.period_start && body.period_end
    ? ` (${fmt.periodLabel(body.period).toLowerCase()}, from ${fmt.dateTime(body.period_start, body.timezone)} ` +
      `to ${fmt.dateTime(body.period_end, body.timezone)})` : "";
  return [
    h("p", { class: "chart-note" },
      `Share of ${what} snapshots counted down while the park was open, by the park's local weekday ` +
      `and hour: times in ${body.timezone}${span}. Hover a cell for its numbers.`),
    grid(body),
    legend(body.min_open_cycles),
    numbersTable(body, kind === "ride" ? "this ride's" : "ride"),
  ];
}

// The section, drawn at once with a loading state; load() fills it from the API.
export function heatmapSection(api, kind, id) {
  const body = h("div", { class: "heatmap-body" });
  const section = h("section", {
    class: "heatmap", "aria-labelledby": `${kind}-heatmap-title`, dataset: { state: "loading" },
  });
  const select = h("select", {
    id: `${kind}-heatmap-period`,
    onchange: (event) => { chosenPeriod = event.target.value; load(); },
  }, HEATMAP_PERIODS.map((p) => h("option", { value: p, selected: p === chosenPeriod || null }, fmt.periodLabel(p))));
  replace(section,
    h("div", { class: "section-head" },
      h("h3", { id: `${kind}-heatmap-title` }, kind === "ride" ? "When it breaks" : "When rides break"),
      h("label", { class: "inline-label" }, "Over ", select)),
    body);
  let token = 0;
  async function load() {
    const mine = ++token;
    section.dataset.state = "loading";
    replace(body, loading());
    try {
      const answer = await api.heatmap(kind, id, chosenPeriod);
      if (mine !== token) return;
      replace(body, heatmapBody(answer, kind));
      section.dataset.period = answer.period;
      section.dataset.state = "ready";
    } catch (err) {
      if (mine !== token) return;
      replace(body, failure(err, load));
      section.dataset.state = "error";
    }
  }
  return { section, load };
}
