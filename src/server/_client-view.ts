/**
 * Browser code of the dashboard, part 2 of 2: rendering and wiring. Every
 * string from the API goes into the page through `textContent` or an
 * attribute, never as markup. Each chart card carries the drawn data on
 * `data-x` (bucket starts, epoch seconds) and `data-y` (counts) for tests and
 * scripts. Plain JavaScript, no template literals.
 */
export const CLIENT_VIEW = String.raw`
const $ = (id) => document.getElementById(id);
const charts = new Map();

/** A new element with optional class and text (always as text, never markup). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

function nameOf(slug) {
  const d = state.definitions.get(slug);
  return d ? d.name : slug;
}

function renderCategories() {
  const list = $("categories");
  list.replaceChildren();
  for (const name of [""].concat(state.categories)) {
    const button = el("button", "chip", name || "All");
    button.type = "button";
    button.setAttribute("aria-pressed", String(state.category === name));
    button.addEventListener("click", () => {
      state.category = name;
      writeHash();
      refreshLists();
    });
    const li = el("li");
    li.append(button);
    list.append(li);
  }
}

function renderSlugs() {
  const query = state.search.toLowerCase();
  const matches = state.slugs.filter((slug) => {
    if (state.categorySlugs && !state.categorySlugs.has(slug)) return false;
    return !query || slug.toLowerCase().includes(query) || nameOf(slug).toLowerCase().includes(query);
  });
  const list = $("slugs");
  list.replaceChildren();
  for (const slug of matches.slice(0, MAX_LISTED)) {
    const button = el("button", "slug");
    button.type = "button";
    button.dataset.slug = slug;
    button.setAttribute("aria-pressed", String(state.selected.includes(slug)));
    button.append(el("span", "slug-id", slug));
    const d = state.definitions.get(slug);
    if (d) button.append(el("span", "slug-name", d.unit ? d.name + " (" + d.unit + ")" : d.name));
    button.addEventListener("click", () => toggle(slug));
    const li = el("li");
    li.append(button);
    list.append(li);
  }
  if (matches.length > MAX_LISTED) list.append(el("li", "hint", (matches.length - MAX_LISTED) + " more: refine the search"));
  if (matches.length === 0) list.append(el("li", "hint", state.slugs.length ? "No slug matches." : "Nothing recorded yet."));
  $("slug-count").textContent = "(" + matches.length + ")";
}

function renderGauges() {
  const list = $("gauges");
  list.replaceChildren();
  for (const g of state.gauges) {
    const d = state.definitions.get(g.slug);
    const li = el("li", "gauge");
    li.dataset.slug = g.slug;
    li.append(el("span", "gauge-name", d ? d.name : g.slug), el("span", "gauge-value", g.value.toLocaleString()));
    if (d && d.unit) li.append(el("span", "gauge-unit", d.unit));
    list.append(li);
  }
  $("gauges-panel").hidden = state.gauges.length === 0;
}

function renderDefinitions() {
  const body = $("definitions").tBodies[0];
  body.replaceChildren();
  for (const d of state.definitions.values()) {
    const tr = el("tr");
    for (const text of [d.slug, d.name, d.unit || "", d.description || ""]) tr.append(el("td", "", text));
    body.append(tr);
  }
  $("definitions-panel").hidden = state.definitions.size === 0;
}

function toggle(slug) {
  if (state.selected.includes(slug)) {
    state.selected = state.selected.filter((s) => s !== slug);
    removeChart(slug);
  } else {
    state.selected = state.selected.concat([slug]);
    loadChart(slug);
  }
  writeHash();
  renderSlugs();
}

function colors() {
  const css = getComputedStyle(document.documentElement);
  const read = (name) => css.getPropertyValue(name).trim();
  return { accent: read("--accent"), fill: read("--accent-fill"), text: read("--muted"), grid: read("--grid") };
}

function cardOf(slug) {
  let chart = charts.get(slug);
  if (chart) return chart;
  const card = el("article", "card chart");
  card.dataset.slug = slug;
  const head = el("header", "chart-head");
  const titles = el("div", "chart-titles");
  const title = el("h3", "chart-title");
  const sub = el("p", "chart-sub");
  titles.append(title, sub);
  const close = el("button", "close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Remove chart " + slug);
  close.addEventListener("click", () => toggle(slug));
  head.append(titles, close);
  const plot = el("div", "plot");
  const message = el("p", "chart-error");
  card.append(head, plot, message);
  $("charts").append(card);
  chart = { card, title, sub, plot, message, uplot: null, key: "" };
  charts.set(slug, chart);
  $("empty").hidden = true;
  return chart;
}

function removeChart(slug) {
  const chart = charts.get(slug);
  if (!chart) return;
  if (chart.uplot) chart.uplot.destroy();
  chart.card.remove();
  charts.delete(slug);
  $("empty").hidden = charts.size > 0;
}

/** Tick spacings (seconds) per granularity, so ticks fall on bucket starts. */
const S_DAY = 86400;
const TICKS = {
  minutes: [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, S_DAY],
  hours: [3600, 7200, 10800, 21600, 43200, S_DAY, 2 * S_DAY, 7 * S_DAY, 14 * S_DAY, 30 * S_DAY],
  days: [S_DAY, 2 * S_DAY, 7 * S_DAY, 14 * S_DAY, 30 * S_DAY, 90 * S_DAY, 180 * S_DAY, 365 * S_DAY],
  weeks: [7 * S_DAY, 14 * S_DAY, 28 * S_DAY, 91 * S_DAY, 182 * S_DAY, 365 * S_DAY],
  months: [30 * S_DAY, 60 * S_DAY, 90 * S_DAY, 180 * S_DAY, 365 * S_DAY, 2 * 365 * S_DAY],
  years: [365 * S_DAY, 2 * 365 * S_DAY, 5 * 365 * S_DAY, 10 * 365 * S_DAY],
};

/** Width of the last bucket (seconds), so its bar is drawn inside the plot. */
function lastStep(xs) {
  const n = xs.length;
  return n > 1 ? xs[n - 1] - xs[n - 2] : BUCKET_MS[state.granularity] / 1000;
}

function draw(chart, data, unit) {
  const key = state.granularity + "|" + state.timezone + "|" + unit;
  if (chart.uplot && chart.key === key) {
    chart.uplot.setData(data);
    return;
  }
  if (chart.uplot) chart.uplot.destroy();
  const c = colors();
  const tz = state.timezone;
  const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  chart.key = key;
  chart.uplot = new uPlot({
    width: Math.max(chart.plot.clientWidth, 200),
    height: 220,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
    scales: {
      x: { time: true, range: (u, min, max) => [min, max + lastStep(u.data[0])] },
      y: { range: (u, min, max) => [Math.min(0, min), Math.max(1, max) * 1.05] },
    },
    axes: [Object.assign({ incrs: TICKS[state.granularity] }, axis), Object.assign({ size: 60 }, axis)],
    series: [{}, { label: unit || "count", stroke: c.accent, fill: c.fill, width: 1,
      paths: uPlot.paths.bars({ size: [0.8, 64], align: 1 }), points: { show: false } }],
    legend: { live: true },
  }, data, chart.plot);
}

async function loadChart(slug) {
  const chart = cardOf(slug);
  chart.card.dataset.state = "loading";
  try {
    const result = await loadHistory(slug);
    if (!charts.has(slug)) return;
    const d = result.definition;
    state.timezone = result.timezone;
    chart.title.textContent = d ? d.name : slug;
    const total = result.rows.reduce((sum, r) => sum + r.count, 0);
    chart.sub.textContent = (d ? slug + " \u00b7 " : "") + "total " + total.toLocaleString() + (d && d.unit ? " " + d.unit : "") +
      " \u00b7 " + result.granularity + " in " + result.timezone;
    const xs = result.rows.map((r) => Date.parse(r.start) / 1000);
    const ys = result.rows.map((r) => r.count);
    chart.message.textContent = "";
    draw(chart, [xs, ys], d && d.unit ? d.unit : "");
    Object.assign(chart.card.dataset, { x: JSON.stringify(xs), y: JSON.stringify(ys), granularity: result.granularity, state: "ready" });
  } catch (error) {
    if (!charts.has(slug)) return;
    chart.title.textContent = slug;
    chart.message.textContent = error.message;
    chart.card.dataset.state = "error";
  }
}

function renderPickers() {
  const g = $("granularity");
  const r = $("range");
  g.value = state.granularity;
  for (const option of r.options) option.disabled = pointsOf(option.value, state.granularity) > MAX_POINTS;
  if (pointsOf(state.range, state.granularity) > MAX_POINTS) {
    const allowed = RANGES.filter((x) => pointsOf(x[0], state.granularity) <= MAX_POINTS);
    state.range = allowed[allowed.length - 1][0];
  }
  r.value = state.range;
}

function renderLists() {
  renderCategories();
  renderSlugs();
  renderGauges();
  renderDefinitions();
}

async function refreshLists() {
  try {
    await loadLists();
    renderLists();
  } catch (error) {
    setStatus(error.message, true);
  }
}

let busy = false;
async function refreshAll() {
  if (busy) return;
  busy = true;
  try {
    await loadLists();
    renderLists();
    await Promise.all(state.selected.map(loadChart));
    setStatus("Updated " + new Date().toLocaleTimeString(), false);
  } catch (error) {
    setStatus(error.message, true);
  } finally {
    busy = false;
  }
}

function wire() {
  const g = $("granularity");
  const r = $("range");
  for (const name of GRANULARITIES) g.append(new Option(name, name));
  for (const [value, label] of RANGES) r.append(new Option(label, value));
  g.addEventListener("change", () => { state.granularity = g.value; renderPickers(); writeHash(); refreshAll(); });
  r.addEventListener("change", () => { state.range = r.value; writeHash(); refreshAll(); });
  $("search").addEventListener("input", (e) => { state.search = e.target.value; renderSlugs(); });
  const auto = $("autorefresh");
  auto.addEventListener("change", () => { state.auto = auto.checked; });
  $("refresh").addEventListener("click", () => { authBlocked = false; refreshAll(); });
  new ResizeObserver(() => {
    for (const chart of charts.values()) {
      if (chart.uplot) chart.uplot.setSize({ width: Math.max(chart.plot.clientWidth, 200), height: 220 });
    }
  }).observe($("charts"));
  setInterval(() => { if (state.auto && !document.hidden) refreshAll(); }, REFRESH_MS);
}

takeTokenFromUrl();
readHash();
wire();
renderPickers();
writeHash();
refreshAll();
`;
