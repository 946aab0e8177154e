// "Stay or go" (SPEC §11): a ride that is down now, said in words, and the park's recovery
// curve. The API gives fractions at full precision; here they are rounded half up to the
// nearest 5 %, and nothing is said below 5 minutes or without enough outages.

import * as fmt from "./format.js";
import { h, table, empty } from "./dom.js";
import { drawChart } from "./charts.js";

const PARK_COLOR = "#c25400";
const POOLED_COLOR = "#0b5cad";
// The curve chart's grid, in minutes, and how far it goes at most.
const CURVE_STEP = 5;
const CURVE_MAX = 360;

// 0.3499 -> 35, 0.325 -> 35, 0.324 -> 30: a percentage rounded half up to the nearest 5.
export function roundedPercent(fraction) {
  return Math.floor(fraction * 20 + 0.5 + 1e-9) * 5;
}

const BASIS = { park: "this park", pooled: "parks like this one" };
const WHERE = { park: "here", pooled: "at parks like this one" };

function minutesWord(m) {
  return m === 1 ? "1 minute" : `${m} minutes`;
}

// "Down since 14:20, 35 min." in the park's zone.
export function downSince(outage, timeZone) {
  return `Down since ${fmt.time(outage.started_at, timeZone)}, ${fmt.durationMinutes(outage.down_minutes)}.`;
}

function remainingWords(r, bucket) {
  const { p25, p50, p75 } = r.remaining;
  if (p25 === null) return null;
  const parts = [`a quarter of them were back up within ${minutesWord(p25)} more`];
  if (p50 !== null) parts.push(`half within ${p50}`);
  if (p75 !== null) parts.push(`three quarters within ${p75}`);
  const last = parts.length > 1 ? ` and ${parts.pop()}` : "";
  return `Counted from the ${bucket}-minute mark, ${parts.join(", ")}${last}.`;
}

// The estimate in words, with the basis and the sample size in a tooltip; or, when there is
// none, the reason in plain words.
export function outageNote(outage, timeZone, { className = "outage-note" } = {}) {
  const r = outage.recovery;
  if (!r) {
    return h("p", { class: `${className} outage-no-estimate`, dataset: { reason: outage.reason || "" } },
      downSince(outage, timeZone), " ",
      h("span", { class: "outage-reason" }, `No estimate: ${outage.reason || "not enough outages yet"}.`));
  }
  const bucket = r.bucket_minutes;
  const sentence = `Of outages that had already lasted ${bucket} minutes ${WHERE[r.basis]}, ` +
    `${roundedPercent(r.within_30)} % ended within the next 30 minutes and ` +
    `${roundedPercent(r.within_60)} % within an hour.`;
  const tip = `Based on ${fmt.count(r.at_risk)} outages at ${BASIS[r.basis]} that lasted at ` +
    `least ${bucket} minutes (Kaplan–Meier; rounded to 5 %).`;
  return h("p", { class: className, title: tip, dataset: { basis: r.basis, atRisk: r.at_risk } },
    downSince(outage, timeZone), " ",
    h("span", { class: "outage-estimate" }, sentence),
    remainingWords(r, bucket) ? [" ", h("span", { class: "outage-remaining" }, remainingWords(r, bucket))] : null);
}

// The live panel's list: every ride counted down now, with its estimate; past the first few,
// the rest folded away so the rankings stay in reach.
const DOWN_LIST_SHOWN = 8;

function downItem(r) {
  return h("li", { dataset: { rideId: r.ride_id } },
    h("a", { href: `#/rides/${r.ride_id}?period=today` }, r.ride_name),
    h("span", { class: "down-park" }, ` · ${r.park_name}`),
    r.outage
      ? outageNote(r.outage, r.timezone, { className: "outage-note outage-note-short" })
      : h("p", { class: "outage-note outage-no-estimate" }, "No outage record for it yet."));
}

export function downRidesList(rides) {
  if (!rides || rides.length === 0) return null;
  const rest = rides.slice(DOWN_LIST_SHOWN);
  return h("section", { class: "down-now", "aria-labelledby": "down-now-title" },
    h("h3", { id: "down-now-title" }, "Down now: stay or go?"),
    h("ul", { class: "down-list" }, rides.slice(0, DOWN_LIST_SHOWN).map(downItem)),
    rest.length
      ? h("details", { class: "down-more" },
        h("summary", {}, `${rest.length} more ${rest.length === 1 ? "ride" : "rides"} down`),
        h("ul", { class: "down-list" }, rest.map(downItem)))
      : null);
}

function survivalAt(points, minute) {
  let s = 1;
  for (const p of points) {
    if (p.minutes > minute) break;
    s = p.survival;
  }
  return s;
}

// The park's recovery curve and the pooled one, as a chart with its table.
export function recoverySection(curves) {
  const title = "How long outages last here (recovery curve)";
  const head = h("h3", { id: "recovery-chart-title" }, title);
  if (!curves || (!curves.park_curve && !curves.pooled_curve)) {
    return { section: h("section", { class: "chart-section", "aria-labelledby": "recovery-chart-title" },
      head, empty(`No recovery curve yet: ${(curves && curves.reason) || "not enough outages yet"}.`)),
    draw: () => {} };
  }
  const lines = [
    ["park", "This park", curves.park_curve, PARK_COLOR],
    ["pooled", "Parks like this one", curves.pooled_curve, POOLED_COLOR],
  ].filter(([, , c]) => c);
  const longest = Math.max(...lines.map(([, , c]) => c.points[c.points.length - 1].minutes));
  const grid = [];
  for (let m = 0; m <= Math.min(longest, CURVE_MAX); m += CURVE_STEP) grid.push(m);
  const values = lines.map(([, , c]) => grid.map((m) => Math.round(survivalAt(c.points, m) * 1000) / 10));
  const canvas = h("canvas", { id: "recovery-chart", role: "img",
    "aria-label": `${title}. The same numbers are in the table below the chart.` });
  const section = h("section", { class: "chart-section", "aria-labelledby": "recovery-chart-title" },
    head,
    h("div", { class: "chart-box" }, canvas),
    h("p", { class: "chart-note" }, "Share of outages still going after each number of minutes " +
      `(Kaplan–Meier, fitted ${fmt.dateTime((lines[0][2]).fitted_at, "UTC")} UTC over ` +
      `${fmt.count(lines[0][2].outages)} outages; an outage cut short by a closure or missing data counts until then).`),
    h("details", { class: "curve-table" },
      h("summary", {}, "The chart's numbers as a table"),
      table({
        caption: "Still down after (minutes), in %",
        columns: [
          { label: "Minutes", rowHeader: true, cell: (i) => String(grid[i]) },
          ...lines.map(([, label], k) => ({ label, numeric: true, cell: (i) => `${values[k][i].toFixed(1)} %` })),
        ],
        rows: grid.map((_, i) => i),
      })));
  const draw = () => drawChart(canvas, {
    labels: grid.map(String),
    series: lines.map(([, label, , color], k) => ({ label, values: values[k], color, stepped: true })),
    yTitle: "Still down (%)",
    yMax: 100,
    describe: (i) => ({
      title: `After ${grid[i]} min`,
      lines: lines.map(([, label], k) => `${label}: ${values[k][i].toFixed(1)} % still down`),
    }),
  });
  return { section, draw };
}
