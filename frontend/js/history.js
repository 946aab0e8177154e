// The long record in the details dialog (#/parks/<id>?…&view=history, #/rides/<id>?…&view=history):
// a park's daily score with its 7-day rolling mean and each period against the one before it;
// a ride's 90-day uptime and its rank among its park's attractions; both with the heatmap of
// when rides break (heatmap.js). Every number is the API's (/history), as sent.

import * as fmt from "./format.js";
import { h, table, empty, srOnly } from "./dom.js";
import { drawChart } from "./charts.js";
import { parkHref, rideHref } from "./rankings.js";
import { PREVIOUS_WORDS, comparisonWords } from "./change.js";
import { heatmapSection } from "./heatmap.js";

const SHAME_COLOR = "#b3261e";
const MEAN_COLOR = "#1d2733";
const UPTIME_COLOR = "#135c2b";
// The periods compared in the park's history, with their length in local dates.
const COMPARED = [["yesterday", 1], ["last_week", 7], ["last_month", 30], ["last_90_days", 90], ["last_365_days", 365]];

// "#/parks/12?period=today" and the same with "&view=history": the dialog's two views.
export const historyHref = (kind, id, period) =>
  `${kind === "park" ? parkHref(id, period) : rideHref(id, period)}&view=history`;

export function viewSwitch(kind, id, period, current) {
  const link = (view, label) => h("a", {
    href: view === "history" ? historyHref(kind, id, period) : (kind === "park" ? parkHref : rideHref)(id, period),
    class: "view-link", "aria-current": view === current ? "page" : null, dataset: { view },
  }, label);
  return h("nav", { class: "view-links", "aria-label": "What to show" },
    link("details", "This period"), link("history", "History and when it breaks"));
}

// The local date n days before an ISO date (calendar arithmetic only, no time zone).
export function daysBefore(iso, n) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d - n)).toISOString().slice(0, 10);
}

export function ordinal(n) {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th";
  return `${n}${suffix}`;
}

function header(kind, id, period, title, meta) {
  return [
    h("header", { class: "details-header" }, h("h2", { id: "details-title" }, title), h("p", { class: "meta" }, meta)),
    viewSwitch(kind, id, period, "history"),
  ];
}

// Days from the first one with data: the long empty stretch before a park's first day says
// nothing, and the note under the chart names where the data begins.
function fromFirstData(days, known) {
  const first = days.findIndex(known);
  return first < 0 ? [] : days.slice(first);
}

function chartBlock({ id, title, days, series, yTitle, yMax, describe, columns, timeZone, note }) {
  const canvas = h("canvas", { id, role: "img", "aria-label": `${title}. The same numbers are in the table below the chart.` });
  const section = h("section", { class: "chart-section", "aria-labelledby": `${id}-title` },
    h("h3", { id: `${id}-title` }, title),
    days.length === 0 ? empty("No data in this range.") : [
      h("div", { class: "chart-box" }, canvas),
      h("p", { class: "chart-note" }, note),
      h("details", { class: "chart-table" },
        h("summary", {}, "The chart's numbers as a table"),
        table({ caption: `${title} (park-local dates, ${timeZone})`,
          columns: [{ label: "Date", rowHeader: true, cell: (d) => d.date }, ...columns], rows: days })),
    ]);
  const draw = () => {
    if (days.length === 0) return;
    drawChart(canvas, { labels: days.map((d) => d.date), series, yTitle, yMax,
      describe: (i) => ({ title: `${days[i].date} (local date)`, lines: describe(days[i]) }) });
  };
  return { section, draw };
}

const openWord = (d) => (d.park_was_open === null ? "no data" : d.park_was_open ? "open" : "closed");

function parkChart(body) {
  const days = fromFirstData(body.days, (d) => d.park_was_open !== null);
  const maxScore = Math.max(2, ...days.map((d) => d.shame_score ?? 0));
  return chartBlock({
    id: "history-chart",
    title: `Daily shame score, ${body.from} to ${body.to}`,
    days,
    timeZone: body.timezone,
    series: [
      { label: "Daily shame score", values: days.map((d) => d.shame_score), color: SHAME_COLOR, type: "bar" },
      { label: "7-day rolling mean", values: days.map((d) => d.rolling_mean_7d), color: MEAN_COLOR },
    ],
    yTitle: "Shame score (0–10)",
    yMax: Math.min(10, Math.ceil(maxScore)),
    describe: (d) => [`Shame score: ${fmt.score(d.shame_score)} (${openWord(d)})`,
      `7-day rolling mean: ${fmt.score(d.rolling_mean_7d)}`, `Downtime: ${fmt.hours(d.total_downtime_hours)}`,
      `Uptime: ${fmt.percent(d.uptime_percentage)}`, `Rides down: ${fmt.count(d.rides_down)}`],
    columns: [
      { label: "Park", cell: openWord },
      { label: "Shame score", numeric: true, cell: (d) => fmt.score(d.shame_score) },
      { label: "7-day mean", numeric: true, cell: (d) => fmt.score(d.rolling_mean_7d) },
      { label: "Downtime", numeric: true, cell: (d) => fmt.hours(d.total_downtime_hours) },
      { label: "Uptime", numeric: true, cell: (d) => fmt.percent(d.uptime_percentage) },
      { label: "Rides down", numeric: true, cell: (d) => fmt.count(d.rides_down) },
    ],
    note: `One bar per local date in park time (${body.timezone}), from the park's first day with data` +
      `${days.length ? ` (${days[0].date})` : ""}; the line is the mean of the daily scores of the open days ` +
      "among each date and the 6 before it. Gaps: the park was closed or there is no data.",
  });
}

// One line per compared period: "Last week 1.4, the week before 0.9, ▲0.5".
function comparisonLine(period, answer) {
  if (answer instanceof Error) {
    return h("li", { dataset: { period } }, `${PREVIOUS_WORDS[period][0]}: could not load (${answer.message})`);
  }
  const span = (from, to) => (!from ? fmt.NO_DATA : from === to ? from : `${from} to ${to}`);
  const before = answer.previous || {};
  const cls = answer.change > 0 ? "change-up" : answer.change < 0 ? "change-down" : "change-flat";
  const [words, arrow] = comparisonWords(period, answer.score, before.score ?? null, answer.change);
  return h("li", { dataset: { period, from: answer.from, to: answer.to } },
    words, h("span", { class: `change ${cls}` }, arrow),
    answer.change ? srOnly(answer.change > 0 ? " (more downtime)" : " (less downtime)") : null,
    h("span", { class: "compare-dates" }, ` (${span(answer.from, answer.to)} against ${span(before.from, before.to)})`));
}

async function comparisons(api, parkId, whole) {
  const asked = COMPARED.map(([period, n]) => (n === 365 && whole.from === daysBefore(whole.to, 364)
    ? Promise.resolve(whole)
    : api.parkHistory(parkId, { from: daysBefore(whole.to, n - 1), to: whole.to }).catch((err) => err)));
  const answers = await Promise.all(asked);
  return h("section", { class: "comparisons", "aria-labelledby": "compare-title" },
    h("h3", { id: "compare-title" }, "Against the period before"),
    h("ul", { class: "compare-list" }, COMPARED.map(([period], i) => comparisonLine(period, answers[i]))),
    h("p", { class: "chart-note" }, "Each score is the mean of the daily scores of the days the park was open; " +
      "▲ means more downtime than the period before, ▼ less."));
}

export async function parkHistoryView(api, parkId, period) {
  const body = await api.parkHistory(parkId);
  const compare = await comparisons(api, parkId, body);
  const chart = parkChart(body);
  const heatmap = heatmapSection(api, "park", parkId);
  const node = h("article", { class: "details park-history", dataset: { parkId, period, view: "history" } },
    header("park", parkId, period, body.park_name, `${body.timezone} · history`),
    compare, chart.section, heatmap.section);
  return { node, afterInsert: () => { chart.draw(); heatmap.load(); } };
}

function rankWords(rank, body) {
  if (!rank) return `Not ranked among ${body.park_name}'s attractions: no data from ${body.from} to ${body.to}.`;
  const which = rank.position === 1 ? "The most downtime" : `${ordinal(rank.position)} most downtime`;
  return `${which} of ${fmt.count(rank.of)} attractions at ${body.park_name} ` +
    `(${fmt.hours(rank.downtime_hours)}, ${body.from} to ${body.to}).`;
}

function rideChart(body) {
  const days = fromFirstData(body.days, (d) => d.operated !== null);
  return chartBlock({
    id: "uptime-chart",
    title: `Daily uptime, ${body.from} to ${body.to}`,
    days,
    timeZone: body.timezone,
    series: [{ label: "Uptime (%)", values: days.map((d) => d.uptime_percentage), color: UPTIME_COLOR, type: "bar" }],
    yTitle: "Uptime (%)",
    yMax: 100,
    describe: (d) => [`Uptime: ${fmt.percent(d.uptime_percentage)}`, `Downtime: ${fmt.durationMinutes(d.downtime_minutes)}`,
      `Outages: ${fmt.count(d.outages)}, longest ${fmt.durationMinutes(d.longest_outage_minutes)}`],
    columns: [
      { label: "Operated", cell: (d) => (d.operated === null ? "no data" : d.operated ? "yes" : "no") },
      { label: "Uptime", numeric: true, cell: (d) => fmt.percent(d.uptime_percentage) },
      { label: "Downtime", numeric: true, cell: (d) => fmt.durationMinutes(d.downtime_minutes) },
      { label: "Outages", numeric: true, cell: (d) => fmt.count(d.outages) },
      { label: "Longest", numeric: true, cell: (d) => fmt.durationMinutes(d.longest_outage_minutes) },
    ],
    note: `One bar per local date in park time (${body.timezone}), from the ride's first day with data` +
      `${days.length ? ` (${days[0].date})` : ""}. Uptime = operating ÷ (operating + down); outages are counted ` +
      "on the local date they started. Gaps: the ride did not operate or there is no data.",
  });
}

export async function rideHistoryView(api, rideId, period) {
  const body = await api.rideHistory(rideId);
  const chart = rideChart(body);
  const heatmap = heatmapSection(api, "ride", rideId);
  const node = h("article", { class: "details ride-history", dataset: { rideId, period, view: "history" } },
    header("ride", rideId, period, body.ride_name,
      [h("a", { href: parkHref(body.park_id, period) }, body.park_name), ` · ${body.timezone} · history`]),
    h("section", { class: "ride-rank", "aria-labelledby": "rank-title" },
      h("h3", { id: "rank-title" }, "Its record"),
      h("dl", { class: "stats" },
        h("div", { class: "stat" }, h("dt", {}, `Uptime, ${body.from} to ${body.to}`),
          h("dd", { class: "range-uptime" }, fmt.percent(body.uptime_percentage)))),
      h("p", { class: "rank-words", dataset: body.rank ? { position: body.rank.position, of: body.rank.of } : {} },
        rankWords(body.rank, body))),
    chart.section, heatmap.section);
  return { node, afterInsert: () => { chart.draw(); heatmap.load(); } };
}
