// The page: reads the address (#/?period=…, #/parks/<id>?period=…, #/rides/<id>?period=…),
// asks the API, and draws the rankings and the details dialog. No reloads: every change of
// period, filter or view is a change of the address's hash.

import { Api } from "./api.js";
import * as fmt from "./format.js";
import { h, replace, loading, empty, failure } from "./dom.js";
import * as rankings from "./rankings.js";
import { parkDetails, rideDetails } from "./details.js";
import { parkHistoryView, rideHistoryView } from "./history.js";
import { recordsContent, recordsPeriod } from "./records.js";
import { livePanel } from "./live.js";
import { noteAnswer } from "./provenance.js";
import { setupSearch } from "./search.js";
import { setupFeedFilter, feedFilterKey } from "./quality.js";

const api = new Api();
const $ = (id) => document.getElementById(id);

const VIEWS = [
  { id: "parks", label: "Parks" },
  { id: "rides", label: "Rides" },
  { id: "waits", label: "Wait times" },
  { id: "records", label: "Records" },
];

const state = {
  period: "today",
  filter: "all-parks",
  view: "parks",
  parkSort: rankings.defaultParkSort(),
  rideSort: "downtime_hours",
  renderedKey: null, // what the rankings region shows now
};
let rankingsToken = 0;
let detailsToken = 0;
let opener = null; // the element focused before the dialog opened

// ---- the address ---------------------------------------------------------------------------

function parseHash(hash = window.location.hash) {
  const raw = hash.replace(/^#/, "") || "/";
  const [path, query = ""] = raw.split("?");
  const params = new URLSearchParams(query);
  const period = fmt.PERIOD_IDS.includes(params.get("period")) ? params.get("period") : null;
  fmt.setChosenDay(params.get("date"));
  // The details dialog: this period's details, or the long record (view=history).
  const shown = params.get("view") === "history" ? "history" : "details";
  const park = path.match(/^\/parks\/(\d+)\/?$/);
  if (park) return { kind: "park", id: Number(park[1]), period: period || state.period, shown };
  const ride = path.match(/^\/rides\/(\d+)\/?$/);
  if (ride) return { kind: "ride", id: Number(ride[1]), period: period || state.period, shown };
  const filter = fmt.FILTERS.some((f) => f.id === params.get("filter")) ? params.get("filter") : null;
  const view = VIEWS.some((v) => v.id === params.get("view")) ? params.get("view") : null;
  return { kind: "rankings", period: period || "today", filter: filter || "all-parks", view: view || "parks" };
}

function rankingsHash({ period = state.period, filter = state.filter, view = state.view } = {}) {
  return `#/?${fmt.periodQuery(period)}&filter=${filter}&view=${view}`;
}

// One day: a date input beside the period tabs; choosing a date shows that local date.
function dayPicker() {
  return h("label", { class: "day-pick" }, "One day ",
    h("input", {
      type: "date", id: "period-date", value: fmt.chosenDayOrYesterday(),
      onchange: (event) => {
        if (!fmt.isDay(event.target.value)) return;
        fmt.setChosenDay(event.target.value);
        go(rankingsHash({ period: "date" }));
      },
    }));
}

function go(hash) {
  if (window.location.hash === hash) route();
  else window.location.hash = hash;
}

// ---- controls -------------------------------------------------------------------------------

function buildControls() {
  const tabs = $("period-tabs");
  replace(tabs, fmt.PERIODS.map((p) => h("button", {
    type: "button",
    role: "tab",
    id: `tab-${p.id}`,
    class: "tab",
    "aria-controls": "results",
    dataset: { period: p.id },
    onclick: () => go(rankingsHash({ period: p.id })),
  }, p.label)));
  tabs.after(dayPicker());
  tabs.addEventListener("keydown", (event) => {
    const all = [...tabs.querySelectorAll("[role=tab]")];
    const i = all.indexOf(document.activeElement);
    if (i < 0) return;
    const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: all.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = all[(next + all.length) % all.length];
    target.focus();
    target.click();
  });
  replace($("filter-group"), fmt.FILTERS.map((f) => h("button", {
    type: "button", class: "seg", dataset: { filter: f.id },
    onclick: () => go(rankingsHash({ filter: f.id })),
  }, f.label)));
  replace($("view-group"), VIEWS.map((v) => h("button", {
    type: "button", class: "seg", dataset: { view: v.id },
    onclick: () => go(rankingsHash({ view: v.id })),
  }, v.label)));
  replace($("legend-list"), fmt.SHAME_BANDS.map((b) => h("li", {},
    h("span", { class: `score band-${b.id}`, "aria-hidden": "true" }, b.range),
    ` ${b.label}`)));
  setupFeedFilter($("reports-down-only"), () => renderRankings());
  $("api-base").textContent = api.base;
  if (api.refused) {
    $("api-refused").replaceChildren(h("strong", {}, "Not using the API in this address. "),
      h("code", {}, api.refused), " is not one of this page's allowed API origins (the " +
      "connect-src of index.html), so the page shows the data of ", h("code", {}, api.base),
      " instead.");
    $("api-refused").hidden = false;
  }
}

function syncControls() {
  for (const tab of document.querySelectorAll("#period-tabs [role=tab]")) {
    const on = tab.dataset.period === state.period;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
  }
  $("results").setAttribute("aria-labelledby", `tab-${state.period}`);
  for (const b of document.querySelectorAll("#filter-group .seg")) {
    b.setAttribute("aria-pressed", String(b.dataset.filter === state.filter));
  }
  for (const b of document.querySelectorAll("#view-group .seg")) {
    b.setAttribute("aria-pressed", String(b.dataset.view === state.view));
  }
  const period = fmt.PERIODS.find((p) => p.id === state.period);
  const day = state.period === "date" ? ` (${fmt.chosenDayOrYesterday()})` : "";
  $("period-explain").textContent = `${period.label}${day}: ${period.explain}.`;
  $("period-date").value = fmt.chosenDayOrYesterday();
}

// ---- what every answer carries ----------------------------------------------------------------

// ---- rankings -------------------------------------------------------------------------------

function rankingsTitle() {
  const what = { parks: "Parks ranked by shame score", rides: "Rides ranked by downtime", waits: "Wait-time rankings",
    records: "Records" }[state.view];
  const day = state.period === "date" ? ` (${fmt.chosenDayOrYesterday()})` : "";
  return `${what}: ${fmt.periodLabel(state.period).toLowerCase()}${day}`;
}

async function renderRankings({ force = false } = {}) {
  const key = `${fmt.periodQuery(state.period)}|${state.filter}|${state.view}|${state.parkSort.key}|${state.parkSort.direction}|${state.rideSort}|${feedFilterKey()}`;
  if (!force && key === state.renderedKey) return;
  const mine = ++rankingsToken;
  const started = performance.now();
  const region = $("results");
  const body = $("results-body");
  const stats = $("stats");
  region.dataset.state = "loading";
  region.setAttribute("aria-busy", "true");
  $("results-title").textContent = rankingsTitle();
  const params = { ...fmt.periodParams(state.period), filter: state.filter };
  const retry = () => renderRankings({ force: true });
  replace(body, loading());
  try {
    let content;
    let statsNode = null;
    let isEmpty = false;
    if (state.view === "parks") {
      const answer = await api.parksDowntime({ ...params, limit: rankings.PARK_LIMIT });
      if (mine !== rankingsToken) return;
      noteAnswer(answer);
      statsNode = rankings.parkStats(answer);
      const unranked = answer.aggregate_stats
        ? answer.aggregate_stats.total_parks - answer.data.length : 0;
      isEmpty = answer.data.length === 0;
      content = isEmpty
        ? empty(state.period === "live"
          ? "No park has an open cycle in the last 15 minutes."
          : "No park was open during this period, so there is nothing to rank.")
        : rankings.parksTable(answer, state, state.parkSort, (k) => {
          state.parkSort = rankings.nextParkSort(state.parkSort, k);
          renderRankings().then(() => focusSortButton(k));
        });
      if (unranked > 0 && answer.data.length < rankings.PARK_LIMIT) {
        content = [content, h("p", { class: "table-note" }, rankings.unrankedNote(answer.not_ranked || [], unranked))];
      }
    } else if (state.view === "rides") {
      const answer = await api.ridesDowntime({ ...params, limit: rankings.RIDE_LIMIT, sort_by: state.rideSort });
      if (mine !== rankingsToken) return;
      noteAnswer(answer);
      isEmpty = answer.data.length === 0;
      content = isEmpty
        ? empty("No ride operated during this period.")
        : rankings.ridesTable(answer, state.rideSort, (k) => {
          state.rideSort = k;
          renderRankings().then(() => focusSortButton(k));
        });
    } else if (state.view === "records") {
      const answer = await api.records(recordsPeriod(state.period));
      if (mine !== rankingsToken) return;
      noteAnswer(answer);
      ({ content, isEmpty } = recordsContent(answer, state.period));
    } else {
      const [parks, rides] = await Promise.all([
        api.parksWaits({ ...params, limit: rankings.PARK_LIMIT }),
        api.ridesWaits({ ...params, limit: rankings.WAIT_RIDE_LIMIT }),
      ]);
      if (mine !== rankingsToken) return;
      noteAnswer(parks);
      isEmpty = parks.data.length === 0 && rides.data.length === 0;
      content = isEmpty
        ? empty("No wait times were reported during this period.")
        : h("div", { class: "two-up" },
          h("section", { "aria-label": "Parks by wait" }, h("h3", {}, "Parks"),
            parks.data.length ? rankings.parkWaitsTable(parks) : empty("No park reported waits.")),
          h("section", { "aria-label": "Rides by wait" }, h("h3", {}, "Rides"),
            rides.data.length ? rankings.rideWaitsTable(rides) : empty("No ride reported waits.")));
    }
    replace(stats, statsNode);
    replace(body, content);
    state.renderedKey = key;
    region.dataset.state = isEmpty ? "empty" : "ready";
  } catch (err) {
    if (mine !== rankingsToken) return;
    replace(stats);
    replace(body, failure(err, retry));
    state.renderedKey = null;
    region.dataset.state = "error";
  } finally {
    if (mine === rankingsToken) {
      region.removeAttribute("aria-busy");
      region.dataset.period = state.period;
      region.dataset.view = state.view;
      region.dataset.filter = state.filter;
      region.dataset.feed = feedFilterKey();
      region.dataset.renderMs = String(Math.round(performance.now() - started));
    }
  }
}

function focusSortButton(key) {
  const buttons = [...document.querySelectorAll("#results-body th button.sort")];
  const col = buttons.find((b) => b.closest("th").getAttribute("aria-sort") !== "none");
  if (col) col.focus();
  return key;
}

async function renderLive() {
  const panel = $("live-body");
  try {
    const answer = await api.liveSummary();
    replace(panel, livePanel(answer));
    noteAnswer(answer);
  } catch (err) {
    replace(panel, failure(err, renderLive));
  }
}

// ---- the details dialog ---------------------------------------------------------------------

function dialog() { return $("details"); }

function openDialog() {
  const d = dialog();
  if (!d.open) {
    opener = document.activeElement;
    d.showModal();
  }
}

function closeDialog() {
  const d = dialog();
  if (d.open) d.close();
}

function historyView(r) {
  return r.kind === "park" ? parkHistoryView(api, r.id, r.period) : rideHistoryView(api, r.id, r.period);
}

async function detailsView(r) {
  const answer = r.kind === "park"
    ? await api.parkDetails(r.id, r.period)
    : await api.rideDetails(r.id, r.period);
  // The ride page's recovery curve: the page goes on without it if it cannot be had.
  const curves = r.kind === "park" ? null
    : await api.parkRecovery(answer.ride.park_id).catch(() => null);
  noteAnswer(answer);
  return r.kind === "park" ? parkDetails(answer, api) : rideDetails(answer, curves);
}

async function renderDetails(r) {
  const mine = ++detailsToken;
  const started = performance.now();
  const d = dialog();
  const container = $("details-body");
  const focusedPeriod = d.contains(document.activeElement) ? document.activeElement.dataset.period : null;
  openDialog();
  d.dataset.state = "loading";
  d.setAttribute("aria-busy", "true");
  const routeKey = `${r.kind}/${r.id}/${r.shown}`;
  if (!container.firstChild || container.dataset.route !== routeKey) {
    replace(container, h("h2", { id: "details-title" }, "Loading details…"), loading());
  }
  try {
    const view = r.shown === "history" ? await historyView(r) : await detailsView(r);
    if (mine !== detailsToken) return;
    replace(container, view.node);
    container.dataset.route = routeKey;
    view.afterInsert();
    d.dataset.state = "ready";
    const what = r.shown === "history" ? "History" : fmt.periodLabel(r.period);
    document.title = `${$("details-title").textContent} · ${what} · Ride downtime tracker`;
  } catch (err) {
    if (mine !== detailsToken) return;
    replace(container,
      h("h2", { id: "details-title" }, r.kind === "park" ? "Park details" : "Ride details"),
      failure(err, () => renderDetails(r)));
    container.dataset.route = "";
    d.dataset.state = "error";
  } finally {
    if (mine === detailsToken) {
      d.removeAttribute("aria-busy");
      d.dataset.renderMs = String(Math.round(performance.now() - started));
      const keep = focusedPeriod && container.querySelector(`.period-link[data-period="${focusedPeriod}"]`);
      if (keep) keep.focus();
      else {
        const title = $("details-title");
        title.tabIndex = -1;
        title.focus();
      }
    }
  }
}

function setupDialog() {
  const d = dialog();
  $("details-close").addEventListener("click", closeDialog);
  d.addEventListener("click", (event) => {
    if (event.target === d) closeDialog(); // a click on the backdrop
  });
  d.addEventListener("close", () => {
    document.title = "Theme park downtime rankings · themepark-tracker";
    if (parseHash().kind !== "rankings") go(rankingsHash());
    if (opener && document.contains(opener)) opener.focus();
    else $("results").focus();
    opener = null;
  });
}

// ---- routing --------------------------------------------------------------------------------

function route() {
  const r = parseHash();
  if (r.kind === "rankings") {
    Object.assign(state, { period: r.period, filter: r.filter, view: r.view });
    syncControls();
    closeDialog();
    renderRankings();
    return;
  }
  if (state.renderedKey === null) {
    state.period = r.period; // a details link opened directly: rank the same period behind it
    syncControls();
    renderRankings();
  }
  renderDetails(r);
}

function start() {
  buildControls();
  setupDialog();
  setupSearch({ api, input: $("search-input"), results: $("search-results"), currentPeriod: () => state.period });
  window.addEventListener("hashchange", route);
  route();
  renderLive();
}

start();
