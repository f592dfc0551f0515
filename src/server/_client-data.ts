/**
 * Browser code of the dashboard, part 1 of 3: settings, state kept in the URL
 * hash, and the API client (bearer token from `?token=` or a prompt, kept in
 * sessionStorage). Served with `_client-chart.ts` and `_client-view.ts` as one ES module,
 * `assets/dashboard.js`; `test/server/app.test.ts` syntax-checks the result.
 * Plain JavaScript, no template literals (this file is a template literal).
 */
export const CLIENT_DATA = `import uPlot from "./uPlot.esm.js";

const API = new URL("api/v1/", document.baseURI);
const TOKEN_KEY = "tallyboard.token";
const REFRESH_MS = 10000;
const MAX_POINTS = 20000;
const MAX_LISTED = 500;
const DAY = 86400000;
const GRANULARITIES = ["minutes", "hours", "days", "weeks", "months", "years"];
const BUCKET_MS = { minutes: 60000, hours: 3600000, days: DAY, weeks: 7 * DAY, months: 30 * DAY, years: 365 * DAY };
const RANGES = [
  ["1h", "1 hour", 3600000], ["6h", "6 hours", 6 * 3600000], ["24h", "24 hours", DAY],
  ["7d", "7 days", 7 * DAY], ["30d", "30 days", 30 * DAY], ["90d", "90 days", 90 * DAY],
  ["1y", "1 year", 365 * DAY], ["5y", "5 years", 5 * 365 * DAY],
];

const state = {
  categories: [], slugs: [], definitions: new Map(), gauges: [], categorySlugs: null,
  category: "", search: "", selected: [], granularity: "hours", range: "7d", auto: true,
  timezone: "UTC",
};

/** Number of buckets a range spans at a granularity (approximate). */
function pointsOf(range, granularity) {
  const found = RANGES.find((r) => r[0] === range);
  return found ? Math.ceil(found[2] / BUCKET_MS[granularity]) + 1 : Infinity;
}

function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const g = params.get("g");
  const r = params.get("r");
  if (g && GRANULARITIES.includes(g)) state.granularity = g;
  if (r && RANGES.some((x) => x[0] === r)) state.range = r;
  state.category = params.get("c") || "";
  state.selected = (params.get("s") || "").split(",").filter((s) => s !== "");
}

function writeHash() {
  const params = new URLSearchParams();
  params.set("g", state.granularity);
  params.set("r", state.range);
  if (state.category) params.set("c", state.category);
  if (state.selected.length) params.set("s", state.selected.join(","));
  history.replaceState(null, "", "#" + params.toString());
}

/** Move a ?token= from the address bar into sessionStorage (out of history and logs). */
function takeTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get("token");
  if (token === null) return;
  sessionStorage.setItem(TOKEN_KEY, token.trim());
  url.searchParams.delete("token");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
}

let asking = null;
let authBlocked = false;

/** Ask once for a token, however many requests were refused at the same time. */
function askToken() {
  if (!asking) {
    asking = Promise.resolve().then(() => {
      const token = window.prompt("This dashboard needs an access token (read scope):");
      if (token && token.trim()) sessionStorage.setItem(TOKEN_KEY, token.trim());
      else authBlocked = true;
      asking = null;
      return !authBlocked;
    });
  }
  return asking;
}

class ApiFailure extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

/** GET an API path (relative to api/v1/) as JSON; asks for a token on 401. */
async function api(path, params) {
  const url = new URL(path, API);
  for (const [key, value] of Object.entries(params || {})) url.searchParams.set(key, value);
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    const res = await fetch(url, { headers, cache: "no-store", credentials: "same-origin" });
    const body = await res.json().catch(() => null);
    if (res.ok) return body;
    if (res.status === 401 && attempt < 2 && !authBlocked) {
      // Another request may have got a token while this one was on its way.
      if (sessionStorage.getItem(TOKEN_KEY) !== token) continue;
      if (attempt === 0 && (await askToken())) continue;
    }
    const error = body && body.error ? body.error : { code: "E_HTTP", message: "HTTP " + res.status };
    throw new ApiFailure(error.message, error.code, res.status);
  }
}

/** Reload categories, slugs, definitions and gauges. */
async function loadLists() {
  const [categories, slugs, definitions, gauges] = await Promise.all([
    api("categories"), api("slugs"), api("definitions"), api("gauges"),
  ]);
  state.categories = categories.categories;
  state.slugs = slugs.slugs;
  state.definitions = new Map(definitions.definitions.map((d) => [d.slug, d]));
  state.gauges = gauges.gauges;
  state.categorySlugs = state.category
    ? new Set((await api("categories/" + encodeURIComponent(state.category) + "/slugs")).slugs)
    : null;
}

/** The history of one slug for the current granularity and range. */
function loadHistory(slug) {
  return api("metrics/" + encodeURIComponent(slug), { granularity: state.granularity, range: state.range });
}
`;
