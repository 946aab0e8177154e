// The JSON API (see /api/openapi.json): where it lives, and one fetch with one error shape.
//
// Where the API is:
//   1. `?api=<base url>` in the page's address (e.g. ?api=http://localhost:5001), but only
//      for this page's own origin or an allowed API origin: one listed in the connect-src of
//      the page's Content-Security-Policy (index.html; by default http://localhost:5001 and
//      http://127.0.0.1:5001, the quickstart's API). Any other is refused, and the page says
//      so: a crafted link must not make the page show another server's data as its own;
//   2. a page served on port 8080 (`cd frontend && python3 -m http.server 8080`, the
//      quickstart's step 6) calls http://<the same host name>:5001;
//   3. anything else (the API server itself serving the page at /) uses the same origin.

import { periodParams } from "./format.js";

export const DEV_STATIC_PORT = "8080";
export const DEV_API_PORT = "5001";
const CACHE_SECONDS = 60;
const ORIGIN = /^https?:\/\/[^\s/*]+$/;

// The API origins the page's policy lets it connect to, besides its own.
export function allowedApiOrigins(doc = document) {
  const meta = doc.querySelector('meta[http-equiv="Content-Security-Policy" i]');
  const policy = meta ? meta.getAttribute("content") || "" : "";
  const directive = policy.split(";").map((d) => d.trim().split(/\s+/))
    .find((words) => words[0].toLowerCase() === "connect-src");
  return (directive || []).slice(1).filter((word) => ORIGIN.test(word))
    .map((word) => new URL(word).origin);
}

function defaultApiBase(location) {
  if (location.protocol === "file:") return `http://localhost:${DEV_API_PORT}`;
  if (location.port === DEV_STATIC_PORT) {
    return `${location.protocol}//${location.hostname}:${DEV_API_PORT}`;
  }
  return location.origin;
}

// {base, refused}: the API base to use, and the `?api=` value refused (or null).
export function chooseApi(location = window.location, allowed = allowedApiOrigins()) {
  const fallback = defaultApiBase(location);
  const override = new URLSearchParams(location.search).get("api");
  if (!override) return { base: fallback, refused: null };
  let url = null;
  try {
    url = new URL(override, location.origin);
  } catch {
    url = null;
  }
  const ok = url && (url.protocol === "http:" || url.protocol === "https:")
    && !url.username && !url.password
    && (url.origin === location.origin || allowed.includes(url.origin));
  if (!ok) return { base: fallback, refused: override };
  return { base: `${url.origin}${url.pathname}`.replace(/\/+$/, ""), refused: null };
}

export function resolveApiBase(location = window.location, allowed = allowedApiOrigins()) {
  return chooseApi(location, allowed).base;
}

export class ApiError extends Error {
  constructor(message, { status = null, code = null, parameter = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.parameter = parameter;
  }
}

export class Api {
  constructor({ base, refused = null } = chooseApi()) {
    this.base = base;
    this.refused = refused; // a `?api=` address that is not allowed, or null
    this.cache = new Map(); // url -> {at, promise}
  }

  url(path, params = {}) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== "") query.set(key, String(value));
    }
    const qs = query.toString();
    return `${this.base}/api${path}${qs ? `?${qs}` : ""}`;
  }

  // GET a JSON document. Answers are kept for CACHE_SECONDS so that switching back to a tab
  // is instant; the server caches for longer anyway.
  get(path, params = {}, { fresh = false } = {}) {
    const url = this.url(path, params);
    const now = Date.now();
    const hit = this.cache.get(url);
    if (!fresh && hit && now - hit.at < CACHE_SECONDS * 1000) return hit.promise;
    const promise = fetchJson(url, this.base);
    this.cache.set(url, { at: now, promise });
    promise.catch(() => this.cache.delete(url));
    return promise;
  }

  parksDowntime(params) { return this.get("/parks/downtime", params); }
  parksWaits(params) { return this.get("/parks/waittimes", params); }
  ridesDowntime(params) { return this.get("/rides/downtime", params); }
  ridesWaits(params) { return this.get("/rides/waittimes", params); }
  parkDetails(parkId, period) { return this.get(`/parks/${parkId}/details`, periodParams(period)); }
  rideDetails(rideId, period) { return this.get(`/rides/${rideId}/details`, periodParams(period)); }
  parkRecovery(parkId) { return this.get(`/parks/${parkId}/recovery`); }
  parkEvidence(parkId, params) { return this.get(`/parks/${parkId}/evidence`, params); }
  // The long record (issue 14): from/to are local dates (YYYY-MM-DD), both or neither.
  parkHistory(parkId, range = {}) { return this.get(`/parks/${parkId}/history`, range); }
  rideHistory(rideId, range = {}) { return this.get(`/rides/${rideId}/history`, range); }
  heatmap(kind, id, period) { return this.get(`/${kind}s/${id}/heatmap`, periodParams(period)); }
  records(period) { return this.get("/records", periodParams(period)); }
  liveSummary(parkId = null) { return this.get("/live/status-summary", { park_id: parkId }); }
  search(q) { return this.get("/search", { q }); }
}

async function fetchJson(url, base) {
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (err) {
    throw new ApiError(`Could not reach the API at ${base} (${err.message}). ` +
      "Is the server running? The address can be set with ?api=<url> (an API on another " +
      "origin must be listed in connect-src of index.html).");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const error = body && body.error;
    const message = error && error.message
      ? error.message
      : `The API answered ${response.status} ${response.statusText || ""}`.trim();
    throw new ApiError(message, {
      status: response.status,
      code: error ? error.code : null,
      parameter: error ? error.parameter : null,
    });
  }
  if (body === null) throw new ApiError(`The API sent something that is not JSON (${url})`);
  return body;
}
