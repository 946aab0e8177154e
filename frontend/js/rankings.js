// The ranking tables: parks by shame score, rides by downtime, parks and rides by wait.

import * as fmt from "./format.js";
import { h, srOnly, scoreBadge, tierBadge, statusBadge, openBadge, table } from "./dom.js";
import { qualityLabels, keep, filterNote } from "./quality.js";
import { changeBadge, hasPrevious, PREVIOUS_WORDS } from "./change.js";

export const PARK_LIMIT = 200;
export const RIDE_LIMIT = 100;
export const WAIT_RIDE_LIMIT = 50;

export const parkHref = (id, period) => `#/parks/${id}?${fmt.periodQuery(period)}`;
export const rideHref = (id, period) => `#/rides/${id}?${fmt.periodQuery(period)}`;

// Park table columns. Parks are all fetched (limit 200), so sorting them here is exact.
const PARK_SORTS = {
  rank: { get: (r) => r.rank, first: "ascending" },
  park_name: { get: (r) => r.park_name.toLocaleLowerCase(), first: "ascending" },
  location: { get: (r) => (r.location || "").toLocaleLowerCase(), first: "ascending" },
  shame_score: { get: (r) => r.shame_score, first: "descending" },
  shame_score_change: { get: (r) => r.shame_score_change, first: "descending" },
  total_downtime_hours: { get: (r) => r.total_downtime_hours, first: "descending" },
  uptime_percentage: { get: (r) => r.uptime_percentage, first: "ascending" },
  rides_down: { get: (r) => r.rides_down, first: "descending" },
  park_is_open: { get: (r) => (r.park_is_open ? 1 : 0), first: "descending" },
};

// Ride rankings are sorted by the API (only the top rows are fetched): one direction each.
const RIDE_SORTS = {
  ride_name: "ascending",
  downtime_hours: "descending",
  uptime_percentage: "ascending",
  avg_wait_time_minutes: "descending",
};

function compareBy(key, direction) {
  const get = PARK_SORTS[key].get;
  const sign = direction === "ascending" ? 1 : -1;
  return (a, b) => {
    const va = get(a);
    const vb = get(b);
    if (va === vb) return a.rank - b.rank;
    if (va === null || va === undefined) return 1; // no data last, either way
    if (vb === null || vb === undefined) return -1;
    return (va < vb ? -1 : 1) * sign;
  };
}

function sortHeader(column, current, onSort) {
  const active = current.key === column.key;
  const attrs = { scope: "col", class: [column.numeric ? "num" : null, column.cls || null].filter(Boolean).join(" ") || null };
  if (!column.sortable) return h("th", attrs, column.label);
  attrs["aria-sort"] = active ? current.direction : "none";
  const arrow = active ? (current.direction === "ascending" ? "▲" : "▼") : "↕";
  return h("th", attrs, h("button", {
    type: "button",
    class: "sort",
    onclick: () => onSort(column.key),
  }, column.label, h("span", { class: "arrow", "aria-hidden": "true" }, ` ${arrow}`),
  srOnly(active ? `, sorted ${current.direction}` : ", sortable")));
}

export function parkStats(body) {
  const s = body.aggregate_stats;
  if (!s) return null;
  const item = (label, value) => h("div", { class: "stat" },
    h("dt", {}, label), h("dd", {}, value));
  return h("dl", { class: "stats" },
    item("Parks open in period", `${fmt.count(s.parks_open)} of ${fmt.count(s.total_parks)}`),
    item("Parks with downtime", fmt.count(s.parks_with_downtime)),
    item("Average shame score", s.avg_shame_score === null ? fmt.NO_DATA : scoreBadge(s.avg_shame_score)),
    item("Total downtime", fmt.hours(s.total_downtime_hours)));
}

export function parksTable(body, state, sort, onSort) {
  const period = body.period;
  const withOpen = period === "live" || period === "today";
  const columns = [
    { key: "rank", label: "Rank", numeric: true, sortable: true, cell: (r) => String(r.rank) },
    { key: "park_name", label: "Park", sortable: true, rowHeader: true, cls: "name",
      cell: (r) => [h("a", { href: parkHref(r.park_id, period), class: "park-link" }, r.park_name),
        qualityLabels(r)] },
    { key: "location", label: "Location", sortable: true, cls: "location",
      cell: (r) => [r.location || fmt.NO_DATA, h("span", { class: "tz" }, r.timezone || "")] },
    { key: "shame_score", label: "Shame score", numeric: true, sortable: true,
      cell: (r) => scoreBadge(r.shame_score) },
    // Against the previous period of the same length (the named periods only).
    hasPrevious(period) ? { key: "shame_score_change", label: "Change", numeric: true, sortable: true,
      cls: "change-col", cell: (r) => changeBadge(r.shame_score_change, r.previous_shame_score, period) } : null,
    { key: "total_downtime_hours", label: "Downtime", numeric: true, sortable: true,
      cell: (r) => fmt.hours(r.total_downtime_hours) },
    { key: "uptime_percentage", label: "Uptime", numeric: true, sortable: true,
      cell: (r) => fmt.percent(r.uptime_percentage) },
    { key: "rides_down", label: "Rides down", numeric: true, sortable: true,
      cell: (r) => fmt.count(r.rides_down) },
  ].filter(Boolean);
  if (withOpen) {
    columns.push({ key: "park_is_open", label: "Now", sortable: true, cell: (r) => openBadge(r.park_is_open) });
  }
  columns.push({ key: "details", label: "Details", sortable: false,
    cell: (r) => h("a", { href: parkHref(r.park_id, period), class: "btn btn-small",
      "aria-label": `Details for ${r.park_name}` }, "Details") });
  const rows = body.data.filter(keep).sort(compareBy(sort.key, sort.direction));
  const note = filterNote(body.data.length, rows.length);
  const filterName = state.filter === "disney-universal" ? "Disney and Universal parks" : "All parks";
  return h("div", {}, table({
    caption: `${filterName}, ${fmt.periodLabel(period).toLowerCase()}: ranked by shame score` +
      (sort.key !== "rank" && sort.key !== "shame_score" ? `, sorted by ${sort.key.replaceAll("_", " ")}` : "") +
      (hasPrevious(period) ? `; change: against ${PREVIOUS_WORDS[period][1]} (▲ more downtime, ▼ less)` : ""),
    columns,
    rows,
    headerCell: (c) => sortHeader(c, sort, onSort),
    rowAttrs: (r) => ({ dataset: { parkId: r.park_id, feedKind: r.feed_kind }, class: "park-row" }),
  }), note);
}

export function defaultParkSort() {
  return { key: "rank", direction: "ascending" };
}

export function nextParkSort(current, key) {
  if (current.key === key) {
    return { key, direction: current.direction === "ascending" ? "descending" : "ascending" };
  }
  return { key, direction: PARK_SORTS[key].first };
}

export function ridesTable(body, sortBy, onSort) {
  const period = body.period;
  const columns = [
    { key: "rank", label: "Rank", numeric: true, cell: (r) => String(r.rank) },
    { key: "ride_name", label: "Ride", sortable: true, rowHeader: true, cls: "name",
      cell: (r) => h("a", { href: rideHref(r.ride_id, period) }, r.ride_name) },
    { key: "tier", label: "Tier", cell: (r) => tierBadge(r.tier, r.tier_weight) },
    { key: "park_name", label: "Park", cell: (r) => h("a", { href: parkHref(r.park_id, period) }, r.park_name) },
    { key: "current_status", label: "Status now", cell: (r) => statusBadge(r.current_status) },
    { key: "downtime_hours", label: "Downtime", numeric: true, sortable: true, cell: (r) => fmt.hours(r.downtime_hours) },
    { key: "uptime_percentage", label: "Uptime", numeric: true, sortable: true, cell: (r) => fmt.percent(r.uptime_percentage) },
    { key: "avg_wait_time_minutes", label: "Average wait", numeric: true, sortable: true,
      cell: (r) => fmt.minutes(r.avg_wait_time_minutes) },
  ];
  const sort = { key: sortBy, direction: RIDE_SORTS[sortBy] };
  return table({
    caption: `Rides, ${fmt.periodLabel(period).toLowerCase()}: the ${body.data.length} ` +
      `${sortBy === "ride_name" ? "first by name" : `ranked by ${sortBy.replaceAll("_", " ").replace(" minutes", "")}`}`,
    columns,
    rows: body.data,
    headerCell: (c) => sortHeader(c, sort, onSort),
    rowAttrs: (r) => ({ dataset: { rideId: r.ride_id } }),
  });
}

export const RIDE_SORT_KEYS = Object.keys(RIDE_SORTS);

export function parkWaitsTable(body) {
  const period = body.period;
  const rows = body.data.filter(keep);
  return h("div", {}, table({
    caption: `Parks by average wait, ${fmt.periodLabel(period).toLowerCase()}`,
    columns: [
      { label: "Rank", numeric: true, cell: (r) => String(r.rank) },
      { label: "Park", rowHeader: true, cls: "name",
        cell: (r) => [h("a", { href: parkHref(r.park_id, period) }, r.park_name), qualityLabels(r)] },
      { label: "Location", cls: "location", cell: (r) => r.location || fmt.NO_DATA },
      { label: "Average wait", numeric: true, cell: (r) => fmt.minutes(r.avg_wait_time_minutes) },
      { label: "Peak wait", numeric: true, cell: (r) => fmt.minutes(r.peak_wait_time_minutes) },
      { label: "Rides reporting", numeric: true, cell: (r) => fmt.count(r.rides_reporting) },
    ],
    rows,
    rowAttrs: (r) => ({ dataset: { parkId: r.park_id, feedKind: r.feed_kind } }),
  }), filterNote(body.data.length, rows.length));
}

export function rideWaitsTable(body) {
  const period = body.period;
  return table({
    caption: `Rides by average wait, ${fmt.periodLabel(period).toLowerCase()}: the top ${body.data.length}`,
    columns: [
      { label: "Rank", numeric: true, cell: (r) => String(r.rank) },
      { label: "Ride", rowHeader: true, cls: "name",
        cell: (r) => h("a", { href: rideHref(r.ride_id, period) }, r.ride_name) },
      { label: "Tier", cell: (r) => tierBadge(r.tier) },
      { label: "Park", cell: (r) => h("a", { href: parkHref(r.park_id, period) }, r.park_name) },
      { label: "Average wait", numeric: true, cell: (r) => fmt.minutes(r.avg_wait_time_minutes) },
      { label: "Peak wait", numeric: true, cell: (r) => fmt.minutes(r.peak_wait_time_minutes) },
      { label: "Status now", cell: (r) => statusBadge(r.current_status) },
    ],
    rows: body.data,
    rowAttrs: (r) => ({ dataset: { rideId: r.ride_id } }),
  });
}

// Why parks are counted but not ranked (SPEC §5), in words.
const NOT_RANKED_WHY = {
  closed: ["was not open", "were not open"],
  no_data: ["has no data", "have no data"],
  not_begun: ["has not reached this date yet", "have not reached this date yet"],
};

export function unrankedNote(notRanked, unranked) {
  const counts = new Map();
  for (const row of notRanked) counts.set(row.reason, (counts.get(row.reason) || 0) + 1);
  const why = (reason, n) => (NOT_RANKED_WHY[reason] || NOT_RANKED_WHY.closed)[n === 1 ? 0 : 1];
  if (counts.size <= 1) {
    const reason = [...counts.keys()][0];
    return `${unranked} ${unranked === 1 ? "park" : "parks"} ${why(reason, unranked)} in this period ` +
      `and ${unranked === 1 ? "is" : "are"} not ranked.`;
  }
  const parts = [...counts].map(([reason, n]) => `${n} ${why(reason, n)}`);
  return `${unranked} parks are not ranked: ${parts.join(", ")}.`;
}
