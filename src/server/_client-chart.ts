/**
 * Browser code of the dashboard, part 2 of 3: DOM helpers and the chart cards
 * (uPlot bars, ticks on bucket starts, the drawn data on `data-x` — bucket
 * starts in epoch seconds — and `data-y` — counts — of each card, for tests
 * and scripts). Strings from the API go in as text, never as markup.
 * Plain JavaScript, no template literals.
 */
export const CLIENT_CHART = String.raw`
const $ = (id) => document.getElementById(id);
const charts = new Map();

/** A new element with optional class and text (always as text, never markup). */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
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
`;
