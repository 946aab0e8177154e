// The "Right now" panel: how many rides are in each status across the parks reporting, and
// each ride down now with its "stay or go" estimate.

import * as fmt from "./format.js";
import { h } from "./dom.js";
import { downRidesList } from "./recovery.js";

const ORDER = ["OPERATING", "DOWN", "CLOSED", "REFURBISHMENT", "PARK_CLOSED", "UNKNOWN"];

export function livePanel(body) {
  const counts = body.counts || {};
  const total = ORDER.reduce((sum, key) => sum + (counts[key] || 0), 0);
  if (!body.parks_reporting || total === 0) {
    return h("p", { class: "state state-empty" },
      "No park has reported in the last 15 minutes, so there is no live status to show.");
  }
  return h("div", {},
    h("ul", { class: "live-counts" }, ORDER.map((key) => {
      const s = fmt.STATUSES[key];
      return h("li", { class: `live-count live-${s.cls}`, dataset: { status: key } },
        h("span", { class: "live-number" }, fmt.count(counts[key] || 0)),
        h("span", { class: "live-label" }, s.label));
    })),
    h("p", { class: "live-note" },
      `Rides in ${fmt.count(body.parks_reporting)} ${body.parks_reporting === 1 ? "park" : "parks"} ` +
      `reporting, as of ${fmt.time(body.as_of, "UTC")} UTC (${fmt.ago(body.as_of)}).`),
    downRidesList(body.down_rides));
}
