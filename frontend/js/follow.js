// "Follow": a button on the park and ride views that opens a small dialog with the Atom feed
// of the ride (or of the park's rides) going down and coming back up, and, in plain words, how
// to get those alerts on a phone (ntfy) or in Discord/Slack (a webhook the site's operator
// makes with `themepark webhooks add`). No inline script or style: the page's CSP holds.

import { h } from "./dom.js";
import { resolveApiBase } from "./api.js";

// The feed of a ride or a park, on the server that answers the API (web/feeds.py).
export function feedUrl(kind, id, base = resolveApiBase()) {
  return `${base}/feeds/${kind === "park" ? "parks" : "rides"}/${id}.atom`;
}

function copyButton(input) {
  const status = h("span", { class: "follow-copied", role: "status" });
  const button = h("button", {
    type: "button", class: "btn btn-small",
    onclick: async () => {
      input.select();
      try {
        await navigator.clipboard.writeText(input.value);
        status.textContent = "Copied.";
      } catch {
        status.textContent = "Selected: press Ctrl+C (or ⌘C) to copy.";
      }
    },
  }, "Copy");
  return [button, status];
}

function command(kind, id, format, target) {
  const subject = kind === "park" ? `--park ${id}` : `--ride ${id}`;
  return `themepark webhooks add ${target} --event ride.down ${subject} --format ${format}`;
}

function body(kind, id, name) {
  const url = feedUrl(kind, id);
  const what = kind === "park" ? `a ride at ${name}` : name;
  const input = h("input", { type: "text", readonly: true, value: url, id: "follow-url",
    class: "follow-url", "aria-label": "Feed address", onfocus: (e) => e.target.select() });
  return [
    h("h2", { id: "follow-title" }, `Follow ${name}`),
    h("p", {}, `Be told when ${what} goes down and when it is back up. No account needed.`),
    h("section", { class: "follow-way", "aria-labelledby": "follow-feed" },
      h("h3", { id: "follow-feed" }, "In a feed reader"),
      h("p", {}, "Paste this address into any feed reader (Feedly, Inoreader, NetNewsWire, "
        + "Thunderbird…). It keeps the newest 50 events."),
      h("div", { class: "follow-copy" }, input, ...copyButton(input)),
      h("p", {}, h("a", { href: url, rel: "noopener" }, "Open the feed"))),
    h("section", { class: "follow-way", "aria-labelledby": "follow-phone" },
      h("h3", { id: "follow-phone" }, "On your phone"),
      h("p", {}, "Install the free ntfy app, choose a topic name nobody will guess and "
        + "subscribe to it. Then ask whoever runs this site to send the alerts to that topic; "
        + "they run:"),
      h("pre", { class: "follow-cmd" },
        h("code", {}, command(kind, id, "ntfy", "https://ntfy.sh/<your topic>")))),
    h("section", { class: "follow-way", "aria-labelledby": "follow-chat" },
      h("h3", { id: "follow-chat" }, "In Discord or Slack"),
      h("p", {}, "Make a webhook for your channel (Discord: Channel settings → Integrations → "
        + "Webhooks; Slack: an Incoming Webhook app) and give its URL to whoever runs this "
        + "site. They add it with:"),
      h("pre", { class: "follow-cmd" },
        h("code", {}, command(kind, id, "discord", "<webhook URL>"))),
      h("p", { class: "follow-note" }, "(--format slack for Slack; use --event ride.up as "
        + "well to hear when it is back up.)")),
  ];
}

function dialog() {
  let d = document.getElementById("follow");
  if (!d) {
    d = h("dialog", { id: "follow", class: "follow-dialog", "aria-labelledby": "follow-title" },
      h("div", { class: "dialog-inner" },
        h("button", { type: "button", class: "close", "aria-label": "Close",
          onclick: () => d.close() }, "×"),
        h("div", { id: "follow-body" })));
    d.addEventListener("click", (event) => { if (event.target === d) d.close(); });
    document.body.append(d);
  }
  return d;
}

// The "Follow" button of a park ("park") or ride ("ride") view.
export function followButton(kind, id, name) {
  return h("button", {
    type: "button", class: "btn btn-small follow-button", "aria-haspopup": "dialog",
    onclick: (event) => {
      event.stopPropagation();
      const d = dialog();
      document.getElementById("follow-body").replaceChildren(...body(kind, id, name));
      d.showModal();
      document.getElementById("follow-url").focus();
    },
  }, "Follow");
}
