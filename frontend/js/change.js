// A period against the previous one of the same length, in words and as a ▲/▼ badge. The
// numbers come from the API (previous_shame_score, shame_score_change, or a history's
// previous.score and change); nothing is computed here. A higher shame score is worse, so ▲
// is shown in the "bad" colour and ▼ in the "good" one, each with words for screen readers.

import * as fmt from "./format.js";
import { h, srOnly } from "./dom.js";

// The periods that have a "previous one": what this one and the one before are called.
export const PREVIOUS_WORDS = {
  yesterday: ["yesterday", "the day before"],
  last_week: ["last week", "the week before"],
  last_month: ["last month", "the month before"],
  last_90_days: ["the last 90 days", "the 90 days before"],
  last_365_days: ["the last 365 days", "the 365 days before"],
};

export const hasPrevious = (period) => Object.hasOwn(PREVIOUS_WORDS, period);

// "▲0.5", "▼0.3", "±0.0" or "—".
export function changeText(change) {
  if (change === null || change === undefined) return fmt.NO_DATA;
  if (change > 0) return `▲${fmt.score(change)}`;
  if (change < 0) return `▼${fmt.score(-change)}`;
  return `±${fmt.score(0)}`;
}

function changeWords(change) {
  if (change > 0) return `up ${fmt.score(change)}`;
  if (change < 0) return `down ${fmt.score(-change)}`;
  return "no change";
}

// The rankings' change cell: the arrow and number, the previous score in the tooltip.
export function changeBadge(change, previous, period) {
  const before = (PREVIOUS_WORDS[period] || ["", "the period before"])[1];
  if (change === null || change === undefined) {
    const why = previous === null || previous === undefined ? `no score ${before}` : "no score now";
    return h("span", { class: "change change-none", title: why }, fmt.NO_DATA, srOnly(` (${why})`));
  }
  const cls = change > 0 ? "change-up" : change < 0 ? "change-down" : "change-flat";
  return h("span", {
    class: `change ${cls}`,
    title: `${before}: ${fmt.score(previous)}`,
    dataset: { change: fmt.score(change), previous: fmt.score(previous) },
  }, h("span", { "aria-hidden": "true" }, changeText(change)),
  srOnly(`${changeWords(change)} from ${fmt.score(previous)} ${before}`));
}

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// ["Last week 1.4, the week before 0.9, ", "▲0.5"]: the words, then the change.
export function comparisonWords(period, score, previous, change) {
  const [now, before] = PREVIOUS_WORDS[period];
  return [`${capital(now)} ${fmt.score(score)}, ${before} ${fmt.score(previous)}, `, changeText(change)];
}
