// "Show the data": the rows a park's score was computed from (GET /api/parks/<id>/evidence),
// with the arithmetic that gives the score back, each hour expandable to its cycles (W, D,
// s and the rides counted down), and the rows as a CSV file.

import * as fmt from "./format.js";
import { h, table, empty, failure, loading, replace } from "./dom.js";

const PAGE = 200; // the API's largest page: a year of dates, or a day of hours, in one
const SUM_PLACES = 4;

const sum = (v) => fmt.fixed(v, SUM_PLACES);

// The one line of arithmetic that turns the listed rows into the score shown.
function arithmetic(answer) {
  const t = answer.totals;
  if (answer.granularity === "day") {
    return h("p", { class: "evidence-sum formula-numbers" },
      "Mean of the daily scores of the open days = ",
      h("span", { class: "evidence-total" }, sum(t.daily_score_sum)), " ÷ ",
      h("span", { class: "evidence-count" }, fmt.count(t.days_open)), " = ",
      h("strong", { class: "evidence-score" }, fmt.score(answer.shame_score)));
  }
  if (answer.granularity === "cycle") {
    return h("p", { class: "evidence-sum formula-numbers" },
      "s(t) of the newest cycle = 10 × D(t) ÷ W(t) = ",
      h("strong", { class: "evidence-score" }, fmt.score(answer.shame_score)));
  }
  return h("p", { class: "evidence-sum formula-numbers" },
    "Σ s(t) over the open cycles ÷ their number = ",
    h("span", { class: "evidence-total" }, sum(t.shame_score_sum)), " ÷ ",
    h("span", { class: "evidence-count" }, fmt.count(t.open_snapshot_count)), " = ",
    h("strong", { class: "evidence-score" }, fmt.score(answer.shame_score)));
}

const CSV_COLUMNS = {
  hour: ["hour_start_utc", "label", "snapshot_count", "open_snapshot_count", "shame_score_sum", "shame_score"],
  day: ["date", "snapshot_count", "open_snapshot_count", "shame_score_sum", "daily_score", "park_was_open"],
  cycle: ["recorded_at", "park_open", "active_weight", "down_weight", "shame_score"],
};

// The rows as CSV. Every cell is a number, a date, an ISO time or "HH:00": nothing a
// spreadsheet could take for a formula.
function csvLink(answer) {
  const columns = CSV_COLUMNS[answer.granularity];
  const lines = [columns.join(","),
    ...answer.rows.map((row) => columns.map((c) => (row[c] === null ? "" : String(row[c]))).join(","))];
  const blob = new Blob([`${lines.join("\n")}\n`], { type: "text/csv" });
  const name = `evidence-park-${answer.park_id}-${answer.period}${answer.period_start ? `-${answer.period_start.slice(0, 10)}` : ""}.csv`;
  const link = h("a", { class: "evidence-csv", download: name }, "Download these rows (CSV)");
  link.href = URL.createObjectURL(blob); // our own Blob: h() lets only # and http(s) through
  return link;
}

function cycleTable(hour, tz) {
  if (!hour.cycles.length) return empty(hour.reason || "No cycles in this hour.");
  const why = (c) => {
    const r = c.open_reason;
    if (r.rule === "schedule") {
      return r.window ? `schedule ${fmt.time(r.window.opening_time_utc, tz)}–${fmt.time(r.window.closing_time_utc, tz)}` : "outside the schedule";
    }
    return `${fmt.count(r.operating_now)} of ${fmt.count(r.seen_operating_today)} rides seen today operating`;
  };
  return h("div", { class: "evidence-cycles" },
    h("p", {}, `Σ s(t) = ${sum(hour.totals.shame_score_sum)} over ${fmt.count(hour.totals.open_cycles)} open cycles = `,
      h("strong", {}, fmt.score(hour.totals.shame_score)),
      hour.hourly_row ? ` (the stored hourly row: ${sum(hour.hourly_row.shame_score_sum)} ÷ ${fmt.count(hour.hourly_row.open_snapshot_count)} = ${fmt.score(hour.hourly_row.shame_score)})` : ""),
    table({
      caption: `Cycles of the hour (park time, ${tz})`,
      columns: [
        { label: "Time", rowHeader: true, cell: (c) => fmt.time(c.recorded_at, tz) },
        { label: "Park", cell: (c) => `${c.park_open ? "open" : "closed"} (${why(c)})` },
        { label: "W(t)", numeric: true, cell: (c) => fmt.count(c.active_weight) },
        { label: "D(t)", numeric: true, cell: (c) => fmt.count(c.down_weight) },
        { label: "s(t)", numeric: true, cell: (c) => (c.shame_score === null ? fmt.NO_DATA : sum(c.shame_score)) },
        { label: "Counted down", cell: (c) => c.rides_down.map((r) => `${r.ride_name} (${r.status}, weight ${r.weight})`).join("; ") || "none" },
      ],
      rows: hour.cycles,
    }));
}

// An hour's row gets a button that loads its cycles into a row just below it.
function hourButton(api, answer, row) {
  let shown = null;
  const button = h("button", { type: "button", class: "evidence-expand", "aria-expanded": "false" }, "Cycles");
  button.addEventListener("click", async () => {
    if (shown) {
      shown.remove();
      shown = null;
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const cell = h("td", { colspan: "6" }, loading());
    shown = h("tr", { class: "evidence-cycles-row" }, cell);
    button.closest("tr").after(shown);
    button.setAttribute("aria-expanded", "true");
    try {
      replace(cell, cycleTable(await api.parkEvidence(answer.park_id, { hour: row.hour_start_utc }), answer.timezone));
    } catch (err) {
      replace(cell, failure(err));
    }
  });
  return button;
}

function rowsTable(api, answer) {
  const tz = answer.timezone;
  if (answer.granularity === "day") {
    return table({
      caption: `Daily rows (park-local dates, ${tz})`,
      columns: [
        { label: "Date", rowHeader: true, cell: (r) => r.date },
        { label: "Open cycles", numeric: true, cell: (r) => fmt.count(r.open_snapshot_count) },
        { label: "Σ s(t)", numeric: true, cell: (r) => sum(r.shame_score_sum) },
        { label: "Daily score", numeric: true, cell: (r) => (r.park_was_open ? sum(r.daily_score) : "closed") },
      ],
      rows: answer.rows,
      rowAttrs: (r) => ({ class: "evidence-row", dataset: { open: r.park_was_open ? "1" : "0" } }),
    });
  }
  if (answer.granularity === "cycle") return cycleTable({ cycles: answer.rows, totals: answer.totals, hourly_row: null }, tz);
  return table({
    caption: `Hourly rows (park time, ${tz})`,
    columns: [
      { label: "Hour", rowHeader: true, cell: (r) => r.label },
      { label: "Open cycles", numeric: true, cell: (r) => fmt.count(r.open_snapshot_count) },
      { label: "Σ s(t)", numeric: true, cell: (r) => sum(r.shame_score_sum) },
      { label: "Hour score", numeric: true, cell: (r) => fmt.score(r.shame_score) },
      { label: "Cycles", cell: (r) => (r.snapshot_count ? hourButton(api, answer, r) : "") },
    ],
    rows: answer.rows,
    rowAttrs: () => ({ class: "evidence-row" }),
  });
}

export function evidenceSection(body, api) {
  if (!api) return null;
  const box = h("div", { class: "evidence-body" });
  const details = h("details", { class: "evidence" }, h("summary", {}, "Show the data"), box);
  let asked = false;
  const load = async () => {
    replace(box, loading());
    try {
      const answer = await api.parkEvidence(body.park.park_id, { ...fmt.periodParams(body.period), limit: PAGE });
      replace(box, arithmetic(answer), rowsTable(api, answer), h("p", {}, csvLink(answer)),
        answer.total_rows > answer.rows.length ? h("p", { class: "chart-note" }, `The first ${answer.rows.length} of ${answer.total_rows} rows.`) : null);
    } catch (err) {
      replace(box, failure(err, load));
    }
  };
  details.addEventListener("toggle", () => {
    if (details.open && !asked) {
      asked = true;
      load();
    }
  });
  return h("section", { class: "evidence-section", "aria-labelledby": "evidence-title" },
    h("h3", { id: "evidence-title" }, "The data behind the score"),
    h("p", { class: "chart-note" }, "The stored rows this score was computed from, so you can check the arithmetic."),
    details);
}
