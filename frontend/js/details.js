// The park and ride detail views shown in the dialog (#/parks/<id>, #/rides/<id>).

import * as fmt from "./format.js";
import { followButton } from "./follow.js";
import { h, scoreBadge, tierBadge, statusBadge, openBadge, table, empty } from "./dom.js";
import { drawChart } from "./charts.js";
import { parkHref, rideHref } from "./rankings.js";
import { outageNote, recoverySection } from "./recovery.js";

const SHAME_COLOR = "#b3261e";
const WAIT_COLOR = "#0b5cad";
const DOWN_COLOR = "#c25400";

function periodLinks(hrefFor, current, name) {
  const day = h("input", {
    type: "date", class: "details-date", value: fmt.chosenDayOrYesterday(),
    "aria-label": `One day for ${name} (local date)`,
    onchange: (event) => {
      if (!fmt.isDay(event.target.value)) return;
      fmt.setChosenDay(event.target.value);
      window.location.hash = hrefFor("date");
    },
  });
  return h("nav", { class: "period-links", "aria-label": `Period for ${name}` },
    fmt.PERIODS.map((p) => h("a", {
      href: hrefFor(p.id),
      class: "period-link",
      "aria-current": p.id === current ? "page" : null,
      dataset: { period: p.id },
    }, p.label)), day);
}

function stat(label, value, note = null) {
  return h("div", { class: "stat" }, h("dt", {}, label), h("dd", {}, value),
    note ? h("dd", { class: "stat-note" }, note) : null);
}

// When a point's bucket starts and ends, in the park's own time.
function pointTime(point, granularity, timeZone, { withDay = true } = {}) {
  if (granularity === "hour" && point.hour_start_utc) {
    const start = new Date(point.hour_start_utc);
    const end = new Date(start.getTime() + 3600 * 1000);
    const span = `${fmt.time(start.toISOString(), timeZone)}–${fmt.time(end.toISOString(), timeZone)}`;
    return withDay ? `${fmt.day(point.hour_start_utc, timeZone)}, ${span}` : span;
  }
  if (granularity === "day") return `${point.label} (local date)`;
  if (granularity === "week") return `${point.date} to ${point.last_date} (week ${point.label})`;
  if (point.recorded_at) return `${fmt.day(point.recorded_at, timeZone)}, ${fmt.time(point.recorded_at, timeZone)}`;
  return point.label;
}

const GRAIN_WORD = { hour: "hour", day: "day", week: "week", snapshot: "cycle (last 60 minutes)" };

function coverage(body, timeZone) {
  if (!body.period_start) return null;
  const label = fmt.periodLabel(body.period);
  if (body.not_ranked_reason === "not_begun") {
    return h("p", { class: "coverage" }, `${body.first_date} has not begun yet in ${timeZone}.`);
  }
  if (body.first_date && body.period !== "live" && body.period !== "today"
      && body.period_end !== undefined && body.chart_granularity !== "hour") {
    const span = body.first_date === body.last_date ? body.first_date : `${body.first_date} to ${body.last_date}`;
    return h("p", { class: "coverage" }, `${label} covers ${span}, the park's local dates (${timeZone}).`);
  }
  if (body.period === "yesterday" || body.period === "date") {
    return h("p", { class: "coverage" }, `${label} covers ${body.first_date}, the park's local date (${timeZone})` +
      (new Date(body.period_end).getTime() <= Date.now() ? "." : ", up to now."));
  }
  const local = `${fmt.dateTime(body.period_start, timeZone)} → ${fmt.time(body.period_end, timeZone)}`;
  return h("p", { class: "coverage" }, `${label} covers ${local} park time (${timeZone}).`);
}

const WHY = {
  live: "The latest cycle only: s = 10 × weight of the rides down ÷ weight of the active rides.",
  today: "Every cycle since local midnight while the park was open, each s = 10 × weight down ÷ active weight.",
  yesterday: "Every cycle of the park's previous local day while it was open.",
  date: "Every cycle of the chosen local day while the park was open (up to now, if that day is today there).",
};

function formula(body, points) {
  const n = body.open_snapshot_count;
  if (body.shame_score === null || body.shame_score === undefined || !n) {
    return h("div", { class: "formula" }, h("p", {},
      "The park was not open in this period, so there is no score."));
  }
  // Over several days the score is the mean of the daily scores; over one day (yesterday)
  // that mean is the day's own sum ÷ count, shown below.
  if (body.score_method === "mean_of_days" && body.chart_granularity === "day") {
    const days = points.filter((p) => p.shame_score !== null && p.shame_score !== undefined);
    return h("div", { class: "formula" },
      h("p", {}, h("code", {}, "shame score = mean of the daily scores of the days the park was open")),
      h("p", { class: "formula-numbers" },
        `= (${days.map((p) => fmt.score(p.shame_score)).join(" + ")}) ÷ ${fmt.count(body.days_open ?? days.length)} = `,
        h("strong", {}, fmt.score(body.shame_score))),
      h("p", { class: "formula-why" },
        "Each day's score is that day's shame_score_sum ÷ open_snapshot_count; the mean is taken " +
        "before rounding, so it can differ by 0.1 from the mean of the rounded daily scores shown. " +
        `Over the period: ${fmt.fixed(body.shame_score_sum, 2)} summed over ${fmt.count(n)} open cycles.`));
  }
  if (body.score_method === "mean_of_days") {
    return h("div", { class: "formula" },
      h("p", {}, h("code", {}, "shame score = mean of the daily scores of the days the park was open")),
      h("p", { class: "formula-numbers" }, `over ${fmt.count(body.days_open)} open days = `,
        h("strong", {}, fmt.score(body.shame_score))),
      h("p", { class: "formula-why" },
        "Each week's point is the mean of the daily scores of its open days; the period's score is " +
        "the mean over all its open days."));
  }
  return h("div", { class: "formula" },
    h("p", {}, h("code", {}, "shame score = shame_score_sum ÷ open_snapshot_count")),
    h("p", { class: "formula-numbers" }, `= ${fmt.fixed(body.shame_score_sum, 2)} ÷ ${fmt.count(n)} = `,
      h("strong", {}, fmt.score(body.shame_score)), " (rounded half up to 1 decimal)"),
    h("p", { class: "formula-why" }, WHY[body.period] || ""));
}

function chartSection({ id, title, points, granularity, timeZone, series, yTitle, y2Title, yMax,
  describeLines, tableColumns, tableOpen }) {
  const canvas = h("canvas", {
    id,
    role: "img",
    "aria-label": `${title}. The same numbers are in the table below the chart.`,
  });
  const section = h("section", { class: "chart-section", "aria-labelledby": `${id}-title` },
    h("h3", { id: `${id}-title` }, title),
    points.length === 0
      ? empty("No data for this period.")
      : [
        h("div", { class: "chart-box" }, canvas),
        h("p", { class: "chart-note" }, `One point per ${GRAIN_WORD[granularity] || granularity}, in park time (${timeZone}). ` +
          "Gaps mean the park was closed, there is no data, or the hour has not come yet."),
        h("details", { class: "chart-table", open: tableOpen || null },
          h("summary", {}, tableOpen ? "Breakdown" : "The chart's numbers as a table"),
          table({
            caption: `${title} (park time, ${timeZone}${granularity === "hour" && points[0] ? `, ${fmt.day(points[0].hour_start_utc, timeZone)}` : ""})`,
            columns: [
              { label: { day: "Date", week: "Week" }[granularity] || "Time", rowHeader: true,
                cell: (p) => pointTime(p, granularity, timeZone, { withDay: granularity !== "hour" }) },
              ...tableColumns,
            ],
            rows: points,
          })),
      ]);
  const draw = () => {
    if (points.length === 0) return;
    drawChart(canvas, {
      labels: points.map((p) => p.label),
      series,
      yTitle,
      y2Title,
      yMax,
      describe: (i) => ({ title: pointTime(points[i], granularity, timeZone), lines: describeLines(points[i]) }),
    });
  };
  return { section, draw };
}

export function parkDetails(body) {
  const park = body.park;
  const tz = park.timezone;
  const period = body.period;
  const points = body.chart_data || [];
  const hasWaits = points.some((p) => p.avg_wait_time_minutes !== undefined);
  const series = [{ label: "Shame score", values: points.map((p) => p.shame_score), color: SHAME_COLOR }];
  if (hasWaits) {
    series.push({ label: "Average wait (min)", values: points.map((p) => p.avg_wait_time_minutes ?? null),
      color: WAIT_COLOR, type: "bar", axis: "y2" });
  }
  const maxScore = Math.max(2, ...points.map((p) => p.shame_score ?? 0));
  const chart = chartSection({
    id: "park-chart",
    title: `Shame score by ${GRAIN_WORD[body.chart_granularity] ? GRAIN_WORD[body.chart_granularity].split(" ")[0] : "point"}, ${fmt.periodLabel(period).toLowerCase()}`,
    points,
    granularity: body.chart_granularity,
    timeZone: tz,
    series,
    yTitle: "Shame score (0–10)",
    y2Title: hasWaits ? "Average wait (min)" : null,
    yMax: Math.min(10, Math.ceil(maxScore)),
    describeLines: (p) => [
      `Shame score: ${p.shame_score === null ? "no data (closed, no data or not yet)" : fmt.score(p.shame_score)}`,
      ...(hasWaits ? [`Average wait: ${fmt.minutes(p.avg_wait_time_minutes)}`] : []),
      `Rides operating: ${fmt.count(p.rides_operating)}, down: ${fmt.count(p.rides_down)}`,
    ],
    tableColumns: [
      { label: "Shame score", numeric: true, cell: (p) => fmt.score(p.shame_score) },
      ...(hasWaits ? [{ label: "Average wait", numeric: true, cell: (p) => fmt.minutes(p.avg_wait_time_minutes) }] : []),
      { label: "Rides operating", numeric: true, cell: (p) => fmt.count(p.rides_operating) },
      { label: "Rides down", numeric: true, cell: (p) => fmt.count(p.rides_down) },
    ],
  });

  const breakdown = body.shame_breakdown || { rides: [] };
  const byTier = new Map();
  for (const ride of breakdown.rides || []) {
    const key = ride.tier ?? 0;
    if (!byTier.has(key)) byTier.set(key, []);
    byTier.get(key).push(ride);
  }
  const tierSections = [...byTier.keys()].sort((a, b) => (a || 9) - (b || 9)).map((tier) => {
    const rides = byTier.get(tier).sort((a, b) => (b.weighted_contribution ?? 0) - (a.weighted_contribution ?? 0));
    const t = fmt.TIERS[tier] || { label: "Unclassified", name: "" };
    return h("div", { class: "tier-group" },
      h("h4", {}, `${t.label}${t.name ? `: ${t.name}` : ""} (weight ${rides[0].tier_weight ?? "?"})`),
      table({
        caption: `${t.label} rides counted down, ${fmt.periodLabel(period).toLowerCase()}`,
        columns: [
          { label: "Ride", rowHeader: true, cls: "name", cell: (r) => h("a", { href: rideHref(r.ride_id, period) }, r.ride_name) },
          { label: "Downtime", numeric: true, cell: (r) => fmt.hours(r.downtime_hours) },
          { label: "Weighted downtime", numeric: true, cell: (r) => fmt.hours(r.weighted_contribution) },
        ],
        rows: rides,
      }));
  });

  const waits = body.wait_times || [];
  const node = h("article", { class: "details park-details", dataset: { parkId: park.park_id, period } },
    h("header", { class: "details-header" },
      h("h2", { id: "details-title" }, park.name),
      followButton("park", park.park_id, park.name),
      h("p", { class: "meta" },
        [park.location || park.country, tz, park.operator].filter(Boolean).join(" · "),
        park.is_disney ? h("span", { class: "tag" }, "Disney") : null,
        park.is_universal ? h("span", { class: "tag" }, "Universal") : null,
        body.park_is_open === null || body.park_is_open === undefined ? null : openBadge(body.park_is_open))),
    periodLinks((p) => parkHref(park.park_id, p), period, park.name),
    coverage(body, tz),
    h("section", { class: "score-card", "aria-labelledby": "score-title" },
      h("div", { class: "score-big" },
        h("h3", { id: "score-title" }, `Shame score, ${fmt.periodLabel(period).toLowerCase()}`),
        h("div", { class: "score-value", dataset: { score: fmt.score(body.shame_score) } }, scoreBadge(body.shame_score))),
      formula(body, points),
      h("dl", { class: "stats" },
        stat("Downtime", fmt.hours(body.total_downtime_hours)),
        stat("Weighted downtime", fmt.hours(body.weighted_downtime_hours), "hours × ride weight"),
        stat("Effective park weight", fmt.fixed(breakdown.effective_park_weight, 0), "weight of active rides"),
        stat("Uptime", fmt.percent(body.uptime_percentage)),
        stat("Average wait", fmt.minutes(body.avg_wait_time_minutes)),
        stat("Rides operating / down", `${fmt.count(body.rides_operating)} / ${fmt.count(body.rides_down)}`),
        stat("Cycles open / recorded", `${fmt.count(body.open_snapshot_count)} / ${fmt.count(body.snapshot_count)}`))),
    chart.section,
    h("section", { class: "contributors", "aria-labelledby": "contrib-title" },
      h("h3", { id: "contrib-title" }, "Rides that added to the score"),
      tierSections.length ? tierSections : empty("No ride was counted down in this period.")),
    h("section", { "aria-labelledby": "waits-title" },
      h("h3", { id: "waits-title" }, "Wait times"),
      waits.length
        ? table({
          caption: `Wait times, ${fmt.periodLabel(period).toLowerCase()}, longest average first`,
          columns: [
            { label: "Ride", rowHeader: true, cls: "name", cell: (r) => h("a", { href: rideHref(r.ride_id, period) }, r.ride_name) },
            { label: "Tier", cell: (r) => tierBadge(r.tier) },
            { label: "Average wait", numeric: true, cell: (r) => fmt.minutes(r.avg_wait_time_minutes) },
            { label: "Peak wait", numeric: true, cell: (r) => fmt.minutes(r.peak_wait_time_minutes) },
          ],
          rows: [...waits].sort((a, b) => (b.avg_wait_time_minutes ?? -1) - (a.avg_wait_time_minutes ?? -1)),
        })
        : empty("No wait times were reported in this period.")));
  return { node, afterInsert: chart.draw };
}

const END_REASONS = {
  recovered: "Back up",
  reclassified: "Refurbishment",
  censored: "Unknown (status unclear)",
  gap: "Unknown (data missing)",
  park_closed: "Park closed",
};

// The ride's outage figures over the period; never shown beside a running outage (SPEC §11).
function reliabilityStats(rel) {
  if (!rel) return null;
  return h("section", { class: "reliability", "aria-labelledby": "reliability-title" },
    h("h3", { id: "reliability-title" }, "Reliability"),
    rel.reason ? h("p", { class: "state state-empty reliability-reason" }, `Some figures are left out: ${rel.reason}.`) : null,
    h("dl", { class: "stats" },
      stat("Outages", fmt.count(rel.outage_count)),
      stat("Per 100 open hours", fmt.fixed(rel.outages_per_100_open_hours, 1)),
      stat("Median outage", fmt.durationMinutes(rel.median_recovered_minutes), "of those that ended with the ride back up"),
      stat("Longest outage", fmt.durationMinutes(rel.longest_minutes))));
}

function outageNow(outage, tz) {
  return h("section", { class: "outage-now", "aria-labelledby": "outage-now-title" },
    // Without an estimate (the park closed, its data stale) it is an outage not yet ended.
    h("h3", { id: "outage-now-title" }, outage.recovery ? "Down now: stay or go?" : "Ongoing outage"),
    outageNote(outage, tz));
}

function incidentsSection(body, period, tz) {
  const incidents = body.incidents;
  return h("section", { "aria-labelledby": "incidents-title" },
    h("h3", { id: "incidents-title" }, "Incidents"),
    incidents === null || incidents === undefined
      ? empty(`Outages are not shown: ${body.outages_reason || "not recorded"}.`)
      : incidents.length
        ? table({
          caption: `Outages, ${fmt.periodLabel(period).toLowerCase()} (park time, ${tz})`,
          columns: [
            { label: "Down from", rowHeader: true, cell: (r) => fmt.dateTime(r.start, tz) },
            { label: "Back at", cell: (r) => (r.ongoing ? h("span", { class: "status status-bad" }, "Still down") : fmt.dateTime(r.end, tz)) },
            { label: "Duration", numeric: true, cell: (r) => fmt.durationMinutes(r.duration_minutes) },
            { label: "How it ended", cell: (r) => (r.ongoing ? "Ongoing" : END_REASONS[r.end_reason] || r.end_reason) },
          ],
          rows: incidents,
        })
        : empty("No downtime was recorded for this ride in this period."));
}

export function rideDetails(body, curves = null) {
  const ride = body.ride;
  const tz = ride.timezone;
  const period = body.period;
  const points = body.chart_data || [];
  const chart = chartSection({
    id: "ride-chart",
    title: `Downtime and waits by ${(GRAIN_WORD[body.chart_granularity] || "point").split(" ")[0]}, ${fmt.periodLabel(period).toLowerCase()}`,
    points,
    granularity: body.chart_granularity,
    timeZone: tz,
    series: [
      { label: "Downtime (h)", values: points.map((p) => p.downtime_hours), color: DOWN_COLOR, type: "bar" },
      { label: "Average wait (min)", values: points.map((p) => p.avg_wait_time_minutes), color: WAIT_COLOR, axis: "y2" },
    ],
    yTitle: "Downtime (hours)",
    y2Title: "Average wait (min)",
    describeLines: (p) => [
      `Downtime: ${fmt.hours(p.downtime_hours)}`,
      `Uptime: ${fmt.percent(p.uptime_percentage)}`,
      `Average wait: ${fmt.minutes(p.avg_wait_time_minutes)}`,
    ],
    tableColumns: [
      { label: "Downtime", numeric: true, cell: (p) => fmt.hours(p.downtime_hours) },
      { label: "Uptime", numeric: true, cell: (p) => fmt.percent(p.uptime_percentage) },
      { label: "Average wait", numeric: true, cell: (p) => fmt.minutes(p.avg_wait_time_minutes) },
    ],
    tableOpen: true,
  });
  const recovery = recoverySection(curves);
  const node = h("article", { class: "details ride-details", dataset: { rideId: ride.ride_id, period } },
    h("header", { class: "details-header" },
      h("h2", { id: "details-title" }, ride.name),
      followButton("ride", ride.ride_id, ride.name),
      h("p", { class: "meta" },
        h("a", { href: parkHref(ride.park_id, period) }, ride.park_name), ` · ${tz} · `,
        tierBadge(ride.tier, ride.tier_weight),
        ride.category && ride.category !== "ATTRACTION" ? h("span", { class: "tag" }, ride.category) : null,
        h("span", { class: "now" }, "Now: ", statusBadge(body.current_status)))),
    periodLinks((p) => rideHref(ride.ride_id, p), period, ride.name),
    coverage(body, tz),
    h("dl", { class: "stats" },
      stat("Downtime", fmt.hours(body.downtime_hours)),
      stat("Uptime", fmt.percent(body.uptime_percentage), "operating ÷ (operating + down)"),
      stat("Average wait", fmt.minutes(body.avg_wait_time_minutes)),
      stat("Peak wait", fmt.minutes(body.peak_wait_time_minutes))),
    body.outage ? outageNow(body.outage, tz) : reliabilityStats(body.reliability),
    incidentsSection(body, period, tz),
    chart.section,
    recovery.section);
  return { node, afterInsert: () => { chart.draw(); recovery.draw(); } };
}
