// The "Records" view (#/?period=…&view=records): each park's worst day, the longest outages,
// the rides with the most downtime per open hour and the most improved parks, from
// GET /api/records. Every figure links to where it came from: a day to the park's dialog on
// that date, a ride to the ride's dialog (on the outage's local date, for an outage).

import * as fmt from "./format.js";
import { h, table, empty, scoreBadge } from "./dom.js";
import { parkHref, rideHref } from "./rankings.js";
import { changeText, PREVIOUS_WORDS } from "./change.js";
import { historyHref } from "./history.js";

// Records have no live view (a single cycle has no worst day): the Live tab shows the API's
// default, the last 365 days, and says so.
const RECORDS_DEFAULT = "last_365_days";
export const recordsPeriod = (period) => (period === "live" ? RECORDS_DEFAULT : period);

const dayHref = (kind, id, day) => `#/${kind}s/${id}?period=date&date=${encodeURIComponent(day)}`;

const END_WORDS = {
  recovered: "back up", reclassified: "refurbishment", censored: "status unclear",
  gap: "data missing", park_closed: "park closed",
};

function worstDays(rows) {
  return table({
    caption: "Each park's worst day: the highest daily shame score in the period (park-local date)",
    columns: [
      { label: "Park", rowHeader: true, cls: "name", cell: (r) => r.park_name },
      { label: "Day", cell: (r) => h("a", { href: dayHref("park", r.park_id, r.date), class: "record-day" }, r.date) },
      { label: "Shame score", numeric: true,
        cell: (r) => h("a", { href: dayHref("park", r.park_id, r.date), class: "record-figure",
          "aria-label": `${r.park_name} on ${r.date}: ${fmt.score(r.shame_score)}` }, scoreBadge(r.shame_score)) },
    ],
    rows,
    rowAttrs: (r) => ({ dataset: { parkId: r.park_id, date: r.date } }),
  });
}

function longestOutages(rows) {
  return table({
    caption: "The longest outages that started in the period (started on the park-local date shown; times in the tooltip are UTC)",
    columns: [
      { label: "Ride", rowHeader: true, cls: "name",
        cell: (r) => h("a", { href: dayHref("ride", r.ride_id, r.start_local_date) }, r.ride_name) },
      { label: "Park", cell: (r) => h("a", { href: dayHref("park", r.park_id, r.start_local_date) }, r.park_name) },
      { label: "Started", cell: (r) => h("span", {
        title: `${fmt.dateTime(r.started_at, "UTC")} UTC to ${r.ended_at ? `${fmt.dateTime(r.ended_at, "UTC")} UTC` : "still down"}`,
      }, r.start_local_date) },
      { label: "Down for", numeric: true,
        cell: (r) => h("a", { href: dayHref("ride", r.ride_id, r.start_local_date), class: "record-figure" },
          fmt.durationMinutes(r.down_minutes)) },
      { label: "How it ended", cell: (r) => (r.ended_at ? END_WORDS[r.end_reason] || r.end_reason : "still down") },
    ],
    rows,
    rowAttrs: (r) => ({ dataset: { rideId: r.ride_id, minutes: r.down_minutes } }),
  });
}

function mostDowntime(rows, period) {
  return table({
    caption: "Rides with the most downtime per open hour, among those open at least 100 hours in the period",
    columns: [
      { label: "Ride", rowHeader: true, cls: "name", cell: (r) => h("a", { href: rideHref(r.ride_id, period) }, r.ride_name) },
      { label: "Park", cell: (r) => h("a", { href: parkHref(r.park_id, period) }, r.park_name) },
      { label: "Downtime per open hour", numeric: true,
        cell: (r) => h("a", { href: rideHref(r.ride_id, period), class: "record-figure" },
          `${fmt.fixed(r.downtime_per_open_hour * 60, 1)} min`) },
      { label: "Downtime", numeric: true, cell: (r) => h("a", { href: rideHref(r.ride_id, period) }, fmt.hours(r.downtime_hours)) },
      { label: "Open hours", numeric: true, cell: (r) => h("a", { href: rideHref(r.ride_id, period) }, fmt.hours(r.open_hours)) },
    ],
    rows,
    rowAttrs: (r) => ({ dataset: { rideId: r.ride_id } }),
  });
}

function mostImproved(rows, period) {
  const before = (PREVIOUS_WORDS[period] || ["", "the period before"])[1];
  return table({
    caption: `The parks whose score fell most against ${before}`,
    columns: [
      { label: "Park", rowHeader: true, cls: "name", cell: (r) => h("a", { href: parkHref(r.park_id, period) }, r.park_name) },
      { label: "Shame score", numeric: true,
        cell: (r) => h("a", { href: parkHref(r.park_id, period), class: "record-figure" }, scoreBadge(r.shame_score)) },
      // The period before has no address of its own: its days are in the park's history.
      { label: `Score ${before}`, numeric: true,
        cell: (r) => h("a", { href: historyHref("park", r.park_id, period), class: "record-figure record-before" },
          scoreBadge(r.previous_shame_score)) },
      { label: "Change", numeric: true,
        cell: (r) => h("a", { href: historyHref("park", r.park_id, period), class: "record-figure record-change change change-down",
          "aria-label": `${r.park_name}: down ${fmt.score(Math.abs(r.change))} against ${before}` },
          changeText(r.change)) },
    ],
    rows,
    rowAttrs: (r) => ({ dataset: { parkId: r.park_id } }),
  });
}

function block(id, title, rows, render, none) {
  return h("section", { class: "record-block", id, "aria-labelledby": `${id}-title`, dataset: { rows: rows.length } },
    h("h3", { id: `${id}-title` }, title), rows.length ? render(rows) : empty(none));
}

// {content, isEmpty} for the rankings region.
export function recordsContent(body, asked) {
  const period = body.period;
  const when = (v) => (fmt.isDay(v) ? v : `${fmt.dateTime(v, "UTC")} UTC`);
  const span = body.period_start && body.period_end
    ? `${fmt.periodLabel(period)}: ${when(body.period_start)} to ${when(body.period_end)}, each park's own local dates.`
    : `${fmt.periodLabel(period)}.`;
  const note = asked !== period
    ? h("p", { class: "table-note" }, `Records have no live view, so ${fmt.periodLabel(asked).toLowerCase()} shows ` +
      `the ${fmt.periodLabel(period).toLowerCase()}.`)
    : null;
  const lists = [body.worst_days, body.longest_outages, body.most_downtime, body.most_improved].map((l) => l || []);
  return {
    isEmpty: lists.every((l) => l.length === 0),
    content: h("div", { class: "records", dataset: { period } },
      h("p", { class: "period-explain" }, span), note,
      block("worst-days", "Each park's worst day", lists[0], worstDays, "No park was open in this period."),
      block("longest-outages", "Longest outages", lists[1], longestOutages,
        body.outages_reason ? `Outages are not shown: ${body.outages_reason}.` : "No outage started in this period."),
      block("most-downtime", "Most downtime per open hour", lists[2], (rows) => mostDowntime(rows, period),
        "No ride was open at least 100 hours in this period."),
      block("most-improved", "Most improved", lists[3], (rows) => mostImproved(rows, period),
        "No park's score fell against the period before, or that period has no data.")),
  };
}
