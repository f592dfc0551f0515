/**
 * Browser code of the dashboard, part 4: the detail chart. Every selected slug
 * is a line on one uPlot chart, with its previous range dashed behind it (one
 * `GET overview?slugs=` call), a legend showing the values under the cursor
 * with times in the store's zone, drag-to-zoom with a reset, and CSV download
 * of exactly the points shown. The card carries what it drew in `data-x`
 * (bucket starts, epoch seconds), `data-y` (one array per slug) and
 * `data-previous`, for tests and scripts. Plain JavaScript, no template literals.
 */
export const CLIENT_CHART = String.raw`
let chart = null;
let chartSeq = 0;

const S_DAY = 86400;
/** Tick spacings (seconds) per granularity, so ticks fall on bucket starts. */
const TICKS = {
  minutes: [60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, S_DAY],
  hours: [3600, 7200, 10800, 21600, 43200, S_DAY, 2 * S_DAY, 7 * S_DAY, 14 * S_DAY, 30 * S_DAY],
  days: [S_DAY, 2 * S_DAY, 7 * S_DAY, 14 * S_DAY, 30 * S_DAY, 90 * S_DAY, 180 * S_DAY, 365 * S_DAY],
  weeks: [7 * S_DAY, 14 * S_DAY, 28 * S_DAY, 91 * S_DAY, 182 * S_DAY, 365 * S_DAY],
  months: [30 * S_DAY, 60 * S_DAY, 90 * S_DAY, 180 * S_DAY, 365 * S_DAY, 2 * 365 * S_DAY],
  years: [365 * S_DAY, 2 * 365 * S_DAY, 5 * 365 * S_DAY, 10 * 365 * S_DAY],
};

function openChart(slugs) {
  state.selected = slugs.slice(0, MAX_CHART_SLUGS);
  state.view = "chart";
  writeHash();
  route();
}

function toggle(slug) {
  const selected = state.selected.includes(slug)
    ? state.selected.filter((s) => s !== slug)
    : state.selected.concat([slug]).slice(-MAX_CHART_SLUGS);
  openChart(selected);
}

/** Local wall-clock label of epoch seconds in the store's zone: 2024-05-01 13:00. */
function localLabel(seconds) {
  return new Intl.DateTimeFormat("sv-SE", { timeZone: state.timezone, year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(seconds * 1000));
}

function plotSize() {
  return { width: Math.max($("plot").clientWidth, 200), height: window.innerWidth < 600 ? 240 : 320 };
}

function draw(body, uPlot) {
  const c = colors();
  const xs = body.starts.map((s) => Date.parse(s) / 1000);
  const data = [xs];
  const series = [{ label: "Time (" + body.timezone + ")" }];
  body.tiles.forEach((t, i) => {
    data.push(t.counts);
    series.push({ label: t.slug, stroke: c.palette[i % c.palette.length], width: 2, points: { show: false } });
  });
  if (state.compare) {
    body.tiles.forEach((t, i) => {
      const prev = t.previousCounts.slice(-xs.length);
      data.push(new Array(xs.length - prev.length).fill(null).concat(prev));
      series.push({ label: t.slug + " (previous)", stroke: c.palette[i % c.palette.length], width: 1.5,
        dash: [6, 4], points: { show: false } });
    });
  }
  if (chart) chart.destroy();
  $("plot").replaceChildren();
  const tz = body.timezone;
  const axis = { stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  // Retention: shade the part of the range before keptFrom, where no data is kept.
  const kept = body.keptFrom ? Date.parse(body.keptFrom) / 1000 : null;
  const shadeExpired = (u) => {
    if (kept === null || kept <= u.scales.x.min) return;
    const { left, top, width, height } = u.bbox;
    const x = Math.min(Math.round(u.valToPos(kept, "x", true)), left + width);
    const ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = c.expired;
    ctx.fillRect(left, top, x - left, height);
    ctx.strokeStyle = c.text;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x + 0.5, top);
    ctx.lineTo(x + 0.5, top + height);
    ctx.stroke();
    ctx.restore();
    $("chart-card").dataset.keptBox = JSON.stringify([left, top, x, width, height]);
  };
  chart = new uPlot(Object.assign(plotSize(), {
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), tz),
    scales: { x: { time: true }, y: { range: (u, min, max) => [Math.min(0, min), Math.max(1, max) * 1.05] } },
    axes: [Object.assign({ incrs: TICKS[body.granularity] }, axis), Object.assign({ size: 60 }, axis)],
    series,
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    hooks: { setScale: [(u, key) => { if (key === "x") $("reset-zoom").disabled = !isZoomed(u); }],
      drawClear: [shadeExpired] },
  }), data, $("plot"));
  chart.full = { min: xs[0], max: xs[xs.length - 1] };
  $("reset-zoom").disabled = true;
}

/** "No data kept before …" under the title when the range starts before the store's retention. */
function showKept(body) {
  const card = $("chart-card");
  const note = $("chart-kept");
  const kept = body.keptFrom ? Date.parse(body.keptFrom) : null;
  const before = kept !== null && kept > Date.parse(body.starts[0]);
  note.hidden = !before;
  note.textContent = before ? "No data kept before " + localLabel(kept / 1000) + " (" + body.timezone +
    "): the shaded part of the chart reads as zero." : "";
  if (before) card.dataset.keptFrom = body.keptFrom;
  else delete card.dataset.keptFrom;
  delete card.dataset.keptBox;
}

function isZoomed(u) {
  const s = u.scales.x;
  return Boolean(u.full) && (s.min > u.full.min || s.max < u.full.max);
}

function resetZoom() {
  if (chart && chart.full) chart.setScale("x", { min: chart.full.min, max: chart.full.max });
}

async function loadChart() {
  const seq = ++chartSeq;
  const card = $("chart-card");
  const empty = state.selected.length === 0;
  $("chart-hint").hidden = !empty;
  card.hidden = empty;
  if (empty) return;
  card.dataset.state = "loading";
  let body;
  try {
    body = await api("overview", Object.assign({ slugs: state.selected.join(","), limit: String(MAX_CHART_SLUGS) }, rangeParams()));
  } catch (error) {
    if (seq !== chartSeq) return;
    $("chart-error").textContent = error.message;
    card.dataset.state = "error";
    throw error;
  }
  const uPlot = await loadUPlot();
  if (seq !== chartSeq) return;
  state.timezone = body.timezone;
  $("chart-error").textContent = "";
  $("chart-title").textContent = body.tiles.map((t) => t.name || t.slug).join(", ");
  const totals = $("chart-totals");
  totals.replaceChildren();
  for (const t of body.tiles) {
    const li = el("li", "chart-total");
    li.append(el("span", "chart-total-name", (t.name ? t.name + " \u00b7 " : "") + t.slug), el("span", "tile-total", formatNumber(t.total) + (t.unit ? " " + t.unit : "")),
      el("span", "tile-change " + t.trend, formatChange(t.change, t.trend)));
    const remove = el("button", "close", "\u00d7");
    remove.type = "button";
    remove.setAttribute("aria-label", "Remove " + t.slug + " from the chart");
    remove.addEventListener("click", () => toggle(t.slug));
    li.append(remove);
    totals.append(li);
  }
  $("chart-sub").textContent = body.starts.length + " " + body.granularity + " in " + body.timezone +
    (state.compare ? " \u00b7 dashed: the " + body.starts.length + " before" : "") + " \u00b7 drag across the chart to zoom";
  showKept(body);
  draw(body, uPlot);
  Object.assign(card.dataset, { x: JSON.stringify(chart.data[0]), y: JSON.stringify(body.tiles.map((t) => t.counts)),
    previous: JSON.stringify(body.tiles.map((t) => t.previousCounts)), slugs: body.tiles.map((t) => t.slug).join(","),
    granularity: body.granularity, state: "ready" });
}

const csvField = (v) => (/[",\n]/.test(String(v)) ? '"' + String(v).replace(/"/g, '""') + '"' : String(v));

/** The points inside the visible x range, one line per bucket, as CSV. */
function shownCsv() {
  const u = chart;
  const xs = u.data[0];
  const lines = [["start", "local (" + state.timezone + ")"].concat(u.series.slice(1).map((s) => s.label)).map(csvField).join(",")];
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < u.scales.x.min || xs[i] > u.scales.x.max) continue;
    const row = [new Date(xs[i] * 1000).toISOString(), localLabel(xs[i])];
    for (let j = 1; j < u.data.length; j++) row.push(u.data[j][i] === null || u.data[j][i] === undefined ? "" : u.data[j][i]);
    lines.push(row.map(csvField).join(","));
  }
  return lines.join("\n") + "\n";
}

function downloadCsv() {
  if (!chart) return;
  const blob = new Blob([shownCsv()], { type: "text/csv;charset=utf-8" });
  const link = el("a");
  link.href = URL.createObjectURL(blob);
  link.download = "tallyboard-" + state.selected.join("+").slice(0, 100) + "-" + state.granularity + ".csv";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

function wireChart() {
  $("reset-zoom").addEventListener("click", resetZoom);
  $("download").addEventListener("click", downloadCsv);
  const compare = $("compare");
  compare.addEventListener("change", () => { state.compare = compare.checked; loadChart().catch(showError); });
  new ResizeObserver(() => { if (chart) chart.setSize(plotSize()); }).observe($("plot"));
}
`;
