/**
 * Browser code of the dashboard, part 1: settings, state kept in the URL hash,
 * DOM and number helpers. Served with the other `_client-*.ts` parts as one
 * ES module, `assets/dashboard.js` (see `_dashboard.ts`); `test/server/app.test.ts`
 * syntax-checks the result. Every URL is resolved against the module's own
 * URL, so the page works wherever it is mounted (`/`, `/metrics`, `/metrics/`).
 * Plain JavaScript, no template literals (this file is a template literal).
 */
export const CLIENT_DATA = String.raw`
const ROOT = new URL("../", import.meta.url);
const API = new URL("api/v1/", ROOT);
const TOKEN_KEY = "tallyboard.token";
const REFRESH_MS = 10000;
const MAX_POINTS = 20000;
const MAX_LISTED = 500;
const PAGE_SIZE = 100;
const MAX_CHART_SLUGS = 12;
const DAY = 86400000;
const VIEWS = ["overview", "chart", "sets"];
const GRANULARITIES = ["minutes", "hours", "days", "weeks", "months", "years"];
const BUCKET_MS = { minutes: 60000, hours: 3600000, days: DAY, weeks: 7 * DAY, months: 30 * DAY, years: 365 * DAY };
const RANGES = [
  ["1h", "1 hour", 3600000], ["6h", "6 hours", 6 * 3600000], ["24h", "24 hours", DAY],
  ["7d", "7 days", 7 * DAY], ["30d", "30 days", 30 * DAY], ["90d", "90 days", 90 * DAY],
  ["1y", "1 year", 365 * DAY], ["5y", "5 years", 5 * 365 * DAY],
];
const CUSTOM = "custom";

const state = {
  view: "overview", categories: [], slugs: [], definitions: new Map(), gauges: [], categorySlugs: null,
  health: null, categoryError: "", category: "", search: "", selected: [], granularity: "days", range: "30d",
  from: "", to: "", page: 0, set: "", auto: true, timezone: "UTC", compare: true,
};

const $ = (id) => document.getElementById(id);

let uPlotModule = null;
/** uPlot, loaded on first use: the overview draws its own sparklines and does not wait for it. */
function loadUPlot() {
  uPlotModule ??= import("./uPlot.esm.js").then((m) => m.default);
  return uPlotModule;
}

/** A new element with optional class and text (always as text, never markup). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/** Number of buckets a preset range spans at a granularity (approximate). */
function pointsOf(range, granularity) {
  const found = RANGES.find((r) => r[0] === range);
  return found ? Math.ceil(found[2] / BUCKET_MS[granularity]) + 1 : 0;
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const v = params.get("v");
  const g = params.get("g");
  const r = params.get("r");
  state.view = v && VIEWS.includes(v) ? v : params.get("s") ? "chart" : "overview";
  if (g && GRANULARITIES.includes(g)) state.granularity = g;
  if (r && (r === CUSTOM || RANGES.some((x) => x[0] === r))) state.range = r;
  state.from = params.get("f") || "";
  state.to = params.get("t") || "";
  if (state.range === CUSTOM && !state.from) state.range = "30d";
  state.category = params.get("c") || "";
  state.selected = (params.get("s") || "").split(",").filter((s) => s !== "").slice(0, MAX_CHART_SLUGS);
  state.page = Math.max(0, Number.parseInt(params.get("p") || "0", 10) || 0);
  state.set = params.get("set") || "";
}

function hashOf(view) {
  const params = new URLSearchParams();
  params.set("v", view);
  params.set("g", state.granularity);
  params.set("r", state.range);
  if (state.range === CUSTOM) {
    params.set("f", state.from);
    if (state.to) params.set("t", state.to);
  }
  if (state.category) params.set("c", state.category);
  if (state.selected.length) params.set("s", state.selected.join(","));
  if (state.page) params.set("p", String(state.page));
  if (state.set) params.set("set", state.set);
  return "#" + params.toString();
}

function writeHash() {
  history.replaceState(null, "", hashOf(state.view));
  for (const view of VIEWS) $("tab-" + view).href = hashOf(view);
}

/** The range of the pickers as API query parameters. */
function rangeParams() {
  const params = { granularity: state.granularity };
  if (state.range === CUSTOM) {
    params.from = state.from;
    if (state.to) params.to = state.to;
  } else params.range = state.range;
  return params;
}

const COMPACT = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/** A count or gauge value, short: 1,234 · 12.3M · 1.80e308. */
function formatNumber(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e15) return n.toExponential(2).replace("e+", "e");
  if (a >= 1e6) return COMPACT.format(n);
  return n.toLocaleString(undefined, { maximumFractionDigits: 3 });
}

/** The change of a tile: arrow and percentage, "new" when the previous range was zero. */
function formatChange(change, trend) {
  if (trend === "new") return "new";
  if (change === null || trend === "flat") return "\u2013 0%";
  const a = Math.abs(change);
  const pct = a >= 100 ? Math.round(a).toLocaleString() : a.toFixed(1);
  return (trend === "up" ? "\u25b2 " : "\u25bc ") + pct + "%";
}

/** A definition's name and unit, or the slug. */
function titleOf(slug) {
  const d = state.definitions.get(slug);
  return d ? d.name : slug;
}
`;
