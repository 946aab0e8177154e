// Feed quality (SPEC §12) on the ranking rows: a small label per problem, each with a
// one-sentence tooltip, and the filter "only parks whose feed reports breakdowns".

import { h } from "./dom.js";

// Coverage below this share of the expected open cycles is flagged in amber.
export const LOW_COVERAGE = 90;

let reportsDownOnly = false;

// The labels of one ranking row, in the order a reader should weigh them.
export function qualityLabels(row) {
  const labels = [];
  if (row.stale === true) {
    labels.push(h("span", {
      class: "quality q-stale",
      title: "The park's newest data is more than 15 minutes old while the park should be open, so its feed has gone quiet.",
    }, "stale"));
  }
  if (row.coverage !== null && row.coverage !== undefined && row.coverage < LOW_COVERAGE) {
    labels.push(h("span", {
      class: "quality q-coverage",
      title: `The feed delivered ${row.coverage} % of the cycles expected while the park was open in this period, so downtime may be undercounted.`,
    }, `coverage ${row.coverage} %`));
  }
  if (row.feed_kind === "closed_only") {
    labels.push(h("span", {
      class: "quality q-inferred",
      title: "This park's feed only says open or closed, so a breakdown is inferred when a ride that had operated today is closed while the park is open.",
    }, "inferred from closures"));
  }
  return labels.length ? h("span", { class: "quality-labels" }, ...labels) : null;
}

// Whether a row is shown under the current feed filter.
export function keep(row) {
  return !reportsDownOnly || row.feed_kind === "reports_down";
}

export function filterNote(total, shown) {
  const hidden = total - shown;
  if (!reportsDownOnly || hidden === 0) return null;
  return h("p", { class: "table-note" },
    `${hidden} ${hidden === 1 ? "park is" : "parks are"} hidden: ${hidden === 1 ? "its" : "their"} feed only says open or closed.`);
}

// The checkbox in the controls; ``onChange`` redraws the rankings.
export function setupFeedFilter(input, onChange) {
  input.checked = reportsDownOnly;
  input.addEventListener("change", () => {
    reportsDownOnly = input.checked;
    onChange();
  });
}

export const feedFilterKey = () => (reportsDownOnly ? "reports_down" : "any");
