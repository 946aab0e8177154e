// A small element builder and the shared pieces of markup (badges, states, tables).

import * as fmt from "./format.js";

// A link target the page may render: its own "#/..." addresses and http(s) URLs. Anything
// else (javascript:, data:, ...), which an answer could carry, is null.
export function safeHref(value) {
  const text = String(value);
  if (text.startsWith("#")) return text;
  try {
    const url = new URL(text, document.baseURI);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

// A link to another site from an answer, or its text alone when the URL is not http(s).
export function externalLink(url, text) {
  const href = safeHref(url);
  return href
    ? h("a", { href, rel: "noopener noreferrer" }, text)
    : h("span", { class: "link-refused", title: "not an http(s) link" }, text);
}

// h("a", {href: "#", class: "x"}, "text", child, [more]) -> element. Text is always text,
// never parsed as HTML; an href that safeHref refuses is left out.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "href" && safeHref(value) === null) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const srOnly = (text) => h("span", { class: "sr-only" }, text);

export function scoreBadge(value) {
  const band = fmt.shameBand(value);
  if (!band) return h("span", { class: "score score-nodata" }, fmt.NO_DATA, srOnly(" no data"));
  return h("span", {
    class: `score band-${band.id}`,
    title: `${band.label} (${band.range})`,
    dataset: { score: fmt.score(value) },
  }, fmt.score(value), srOnly(` (${band.label.toLowerCase()})`));
}

export function tierBadge(tier, weight) {
  const t = fmt.TIERS[tier] || { label: tier ? `Tier ${tier}` : "Unclassified", name: "" };
  const title = `${t.label}${t.name ? ` (${t.name})` : ""}${weight ? `, weight ${weight}` : ""}`;
  return h("span", { class: `tier tier-${tier || "none"}`, title }, t.label,
    weight ? srOnly(`, weight ${weight}`) : null);
}

export function statusBadge(status) {
  if (!status) return h("span", { class: "status status-muted", title: "No cycle in the last 15 minutes" }, "No recent data");
  const s = fmt.STATUSES[status] || { label: status, cls: "muted" };
  return h("span", { class: `status status-${s.cls}` }, s.label);
}

export function openBadge(isOpen) {
  if (isOpen === null || isOpen === undefined) return h("span", { class: "status status-muted" }, "Unknown");
  return isOpen
    ? h("span", { class: "status status-ok" }, "Open")
    : h("span", { class: "status status-muted" }, "Closed");
}

export function loading(text = "Loading…") {
  return h("p", { class: "state state-loading", role: "status" }, h("span", { class: "spinner", "aria-hidden": "true" }), text);
}

export function empty(text) {
  return h("p", { class: "state state-empty", role: "status" }, text);
}

export function failure(error, retry) {
  return h("div", { class: "state state-error", role: "alert" },
    h("p", {}, h("strong", {}, "Could not load this. "), error.message || String(error)),
    retry ? h("button", { type: "button", class: "btn", onclick: retry }, "Try again") : null);
}

// A table from column specs: {key, label, cell(row) -> node|string, numeric, sort: {...}}.
export function table({ caption, columns, rows, rowAttrs = () => ({}), headerCell = null }) {
  return h("div", { class: "table-wrap" },
    h("table", {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, columns.map((c) => (headerCell ? headerCell(c) :
        h("th", { scope: "col", class: [c.numeric ? "num" : null, c.cls || null].filter(Boolean).join(" ") || null }, c.label))))),
      h("tbody", {}, rows.map((row) => h("tr", rowAttrs(row),
        columns.map((c) => {
          const content = c.cell(row);
          const attrs = { class: [c.numeric ? "num" : null, c.cls || null].filter(Boolean).join(" ") || null };
          return c.rowHeader ? h("th", { scope: "row", ...attrs }, content) : h("td", attrs, content);
        }))))));
}

export function replace(container, ...nodes) {
  container.replaceChildren(...nodes.flat().filter((n) => n !== null && n !== undefined));
}
