// How numbers, times, scores, tiers and statuses look on the page. No computing of metrics
// here: every number shown comes from the API as it was sent (already rounded, SPEC §6).

export const PERIODS = [
  { id: "live", label: "Live", explain: "each park's latest cycle, if recorded in the last 15 minutes" },
  { id: "today", label: "Today", explain: "from local midnight to now, in each park's own time zone" },
  { id: "yesterday", label: "Yesterday", explain: "the previous local date of each park" },
  { id: "last_week", label: "Last week", explain: "the 7 local dates ending yesterday" },
  { id: "last_month", label: "Last month", explain: "the 30 local dates ending yesterday" },
  { id: "last_90_days", label: "Last 90 days", explain: "the 90 local dates ending yesterday" },
  { id: "last_365_days", label: "Last 365 days", explain: "the 365 local dates ending yesterday, charted by week" },
  { id: "date", label: "One day", explain: "the local date chosen, the same date in each park's own time zone" },
];
export const PERIOD_IDS = PERIODS.map((p) => p.id);
export const periodLabel = (id) => (PERIODS.find((p) => p.id === id) || { label: id }).label;

// The local date of period=date (YYYY-MM-DD), shared by the address, every link and every
// request; the day before today (the browser's) until one is chosen.
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
let chosenDay = null;
export const isDay = (value) => typeof value === "string" && ISO_DAY.test(value);
export function setChosenDay(day) { if (isDay(day)) chosenDay = day; }
export function chosenDayOrYesterday() {
  if (chosenDay) return chosenDay;
  const d = new Date(Date.now() - 24 * 3600 * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}
// The API parameters of a period, and the same as an address's query.
export const periodParams = (period) => (period === "date" ? { period, date: chosenDayOrYesterday() } : { period });
export const periodQuery = (period) => new URLSearchParams(periodParams(period)).toString();

export const FILTERS = [
  { id: "all-parks", label: "All parks" },
  { id: "disney-universal", label: "Disney & Universal" },
];

// Shame-score colour bands (0 to 10). Each band also has a name, so colour is never the only
// signal.
export const SHAME_BANDS = [
  { id: "none", min: 0, label: "None", range: "0.0" },
  { id: "low", min: 0.05, label: "Low", range: "0.1–0.9" },
  { id: "moderate", min: 0.95, label: "Moderate", range: "1.0–2.4" },
  { id: "high", min: 2.45, label: "High", range: "2.5–4.9" },
  { id: "severe", min: 4.95, label: "Severe", range: "5.0–10" },
];

export function shameBand(score) {
  if (score === null || score === undefined) return null;
  let band = SHAME_BANDS[0];
  for (const b of SHAME_BANDS) if (score >= b.min) band = b;
  return band;
}

export const TIERS = {
  1: { label: "Tier 1", name: "flagship" },
  2: { label: "Tier 2", name: "standard" },
  3: { label: "Tier 3", name: "minor" },
};

export const STATUSES = {
  OPERATING: { label: "Operating", cls: "ok" },
  DOWN: { label: "Down", cls: "bad" },
  CLOSED: { label: "Closed", cls: "muted" },
  REFURBISHMENT: { label: "Refurbishment", cls: "muted" },
  UNKNOWN: { label: "Unknown", cls: "muted" },
  PARK_CLOSED: { label: "Park closed", cls: "muted" },
};

export const NO_DATA = "—";

export function fixed(value, places) {
  if (value === null || value === undefined || Number.isNaN(value)) return NO_DATA;
  return Number(value).toLocaleString("en-GB", {
    minimumFractionDigits: places,
    maximumFractionDigits: places,
  });
}

export const score = (v) => fixed(v, 1);
export const hours = (v) => (v === null || v === undefined ? NO_DATA : `${fixed(v, 2)} h`);
export const percent = (v) => (v === null || v === undefined ? NO_DATA : `${fixed(v, 1)} %`);
export const minutes = (v) => (v === null || v === undefined ? NO_DATA : `${fixed(v, 1)} min`);
export const count = (v) => (v === null || v === undefined ? NO_DATA : Number(v).toLocaleString("en-GB"));

const formatters = new Map();
function formatter(timeZone, options) {
  const key = `${timeZone}|${JSON.stringify(options)}`;
  if (!formatters.has(key)) {
    formatters.set(key, new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", ...options }));
  }
  return formatters.get(key);
}

export function viewerTimeZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// "28 Nov 2026, 21:55" in the given zone.
export function dateTime(iso, timeZone = "UTC") {
  if (!iso) return NO_DATA;
  return formatter(timeZone, {
    day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
  }).format(new Date(iso));
}

export function time(iso, timeZone = "UTC") {
  if (!iso) return NO_DATA;
  return formatter(timeZone, { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

export function day(iso, timeZone = "UTC") {
  if (!iso) return NO_DATA;
  return formatter(timeZone, { weekday: "short", day: "numeric", month: "short", year: "numeric" })
    .format(new Date(iso));
}

// "21:55 UTC, 28 Nov 2026 (22:55 Europe/Berlin, your time)"
export function newestData(iso) {
  if (!iso) return "no data yet";
  const utc = `${dateTime(iso, "UTC")} UTC`;
  const zone = viewerTimeZone();
  if (zone === "UTC" || zone === "Etc/UTC") return utc;
  return `${utc} (${dateTime(iso, zone)} ${zone}, your time)`;
}

export function ago(iso, now = Date.now()) {
  if (!iso) return "";
  const mins = Math.round((now - new Date(iso).getTime()) / 60000);
  if (mins < 1) return "just now";
  if (mins < 90) return `${mins} min ago`;
  const h = Math.round(mins / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

export function durationMinutes(total) {
  if (total === null || total === undefined) return NO_DATA;
  const m = Math.round(total);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}
