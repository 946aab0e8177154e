// What every data answer says about itself, shown in the page's header and footer: the
// newest data's time, whether it came from the live feeds, and the sources' attribution.

import * as fmt from "./format.js";
import { h, externalLink } from "./dom.js";

const $ = (id) => document.getElementById(id);

export function noteAnswer(body) {
  if (!body) return;
  if ("newest_data_at" in body) {
    const el = $("freshness");
    if (body.newest_data_at) {
      el.replaceChildren("Newest data: ",
        h("time", { datetime: body.newest_data_at }, fmt.newestData(body.newest_data_at)),
        ` (${fmt.ago(body.newest_data_at)})`);
    } else {
      el.textContent = "Newest data: none yet. The database holds no snapshots.";
    }
  }
  if ("from_live_feeds" in body) {
    // Simulated (or imported) parks carry real names: say plainly that these are not their
    // real records.
    $("data-origin").hidden = body.from_live_feeds !== false;
  }
  if (Array.isArray(body.attribution) && body.attribution.length) {
    const links = body.attribution.map((a) => externalLink(a.url, a.text || a.name));
    const nodes = [];
    links.forEach((link, i) => nodes.push(...(i ? [" · ", link] : [link])));
    $("attribution").replaceChildren(...nodes);
  }
}
