// The search box: parks and rides by name, as links to their details.

import { h } from "./dom.js";
import { parkHref, rideHref } from "./rankings.js";

const DEBOUNCE_MS = 200;

export function setupSearch({ api, input, results, currentPeriod }) {
  let timer = null;
  let token = 0;

  const hide = () => {
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
  };
  const show = (...nodes) => {
    results.replaceChildren(...nodes);
    results.hidden = false;
    input.setAttribute("aria-expanded", "true");
  };

  async function run(q) {
    const mine = ++token;
    try {
      const body = await api.search(q);
      if (mine !== token) return;
      const period = currentPeriod();
      const parks = body.parks || [];
      const rides = body.rides || [];
      if (parks.length + rides.length === 0) {
        show(h("p", { class: "search-empty", role: "status" }, `Nothing matches “${q}”.`));
        return;
      }
      show(
        h("p", { class: "sr-only", role: "status" }, `${parks.length} parks and ${rides.length} rides match.`),
        parks.length ? h("div", {}, h("h2", { class: "search-heading" }, "Parks"),
          h("ul", {}, parks.map((p) => h("li", {}, h("a", { href: parkHref(p.park_id, period) },
            p.name, p.location ? h("span", { class: "search-sub" }, ` ${p.location}`) : null))))) : null,
        rides.length ? h("div", {}, h("h2", { class: "search-heading" }, "Rides"),
          h("ul", {}, rides.map((r) => h("li", {}, h("a", { href: rideHref(r.ride_id, period) },
            r.name, h("span", { class: "search-sub" }, ` ${r.park_name}`)))))) : null,
      );
    } catch (err) {
      if (mine !== token) return;
      show(h("p", { class: "search-empty", role: "alert" }, `Search failed: ${err.message}`));
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) {
      token++;
      hide();
      return;
    }
    timer = setTimeout(() => run(q.slice(0, 100)), DEBOUNCE_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      input.value = "";
      token++;
      hide();
    } else if (event.key === "ArrowDown" && !results.hidden) {
      const first = results.querySelector("a");
      if (first) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  results.addEventListener("keydown", (event) => {
    const links = [...results.querySelectorAll("a")];
    const i = links.indexOf(document.activeElement);
    if (event.key === "ArrowDown" && i < links.length - 1) {
      event.preventDefault();
      links[i + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      (i > 0 ? links[i - 1] : input).focus();
    } else if (event.key === "Escape") {
      hide();
      input.focus();
    }
  });
  results.addEventListener("click", (event) => {
    if (event.target.closest("a")) hide();
  });
  document.addEventListener("click", (event) => {
    if (!event.target.closest(".search")) hide();
  });
}
