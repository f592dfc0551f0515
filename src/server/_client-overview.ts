/**
 * Browser code of the dashboard, part 3: the overview, one tile per slug of
 * the category from one `GET overview` call per page of 100 tiles: name and
 * unit, a sparkline drawn on a canvas, the range's total and the change
 * against the previous range. Each tile carries what it drew in `data-*`
 * attributes (`data-total`, `data-trend`, `data-counts`, `data-drawn`) for
 * tests and scripts. Plain JavaScript, no template literals.
 */
export const CLIENT_OVERVIEW = String.raw`
let overviewSeq = 0;

function colors() {
  const css = getComputedStyle(document.documentElement);
  const read = (name) => css.getPropertyValue(name).trim();
  return { accent: read("--accent"), fill: read("--accent-fill"), text: read("--muted"), grid: read("--grid"),
    previous: read("--previous"), expired: read("--expired"), palette: read("--palette").split(/\s+/) };
}

/** Draw counts as a line with a filled area; returns true when something was drawn. */
function drawSparkline(canvas, counts, c, width) {
  const ratio = window.devicePixelRatio || 1;
  const height = 40;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  const ctx = canvas.getContext("2d");
  if (!ctx) return false;
  ctx.scale(ratio, ratio);
  const n = counts.length;
  if (n === 0) return false;
  const max = Math.max(1, ...counts);
  const min = Math.min(0, ...counts);
  const x = (i) => (n === 1 ? width / 2 : (i / (n - 1)) * (width - 2) + 1);
  const y = (v) => height - 2 - ((v - min) / (max - min)) * (height - 4);
  ctx.beginPath();
  ctx.moveTo(x(0), y(counts[0]));
  for (let i = 1; i < n; i++) ctx.lineTo(x(i), y(counts[i]));
  ctx.strokeStyle = c.accent;
  ctx.lineWidth = 1.5;
  ctx.stroke();
  ctx.lineTo(x(n - 1), y(min));
  ctx.lineTo(x(0), y(min));
  ctx.closePath();
  ctx.fillStyle = c.fill;
  ctx.fill();
  return true;
}

/** The tiles' note on retention: the range, or the previous range it is compared with, starts before keptFrom. */
function keptNote(body) {
  if (!body.keptFrom) return "";
  const kept = Date.parse(body.keptFrom);
  const when = localLabel(kept / 1000);
  if (kept > Date.parse(body.starts[0])) return "No data kept before " + when;
  if (kept > Date.parse(body.previousFrom)) return "Change against a range partly before " + when + ", not kept";
  return "";
}

function tileOf(t, c, granularity, note) {
  const li = el("li");
  const button = el("button", "tile");
  button.type = "button";
  button.dataset.slug = t.slug;
  const head = el("span", "tile-head");
  head.append(el("span", "tile-name", t.name || t.slug));
  head.append(el("span", "tile-sub", t.name ? t.slug + (t.unit ? " \u00b7 " + t.unit : "") : (t.unit || "")));
  const canvas = el("canvas", "spark");
  canvas.setAttribute("aria-hidden", "true");
  const foot = el("span", "tile-foot");
  const total = el("span", "tile-total", formatNumber(t.total));
  total.title = t.total.toLocaleString();
  const change = el("span", "tile-change " + t.trend, formatChange(t.change, t.trend));
  change.title = "previous " + granularity + ": " + formatNumber(t.previousTotal);
  foot.append(total, change);
  button.append(head, canvas, foot);
  if (note) button.append(el("span", "tile-note", note));
  Object.assign(button.dataset, { total: String(t.total), previousTotal: String(t.previousTotal), trend: t.trend,
    change: t.change === null ? "" : String(t.change), counts: JSON.stringify(t.counts) });
  button.addEventListener("click", () => openChart([t.slug]));
  li.append(button);
  return { li, draw: (width) => { if (drawSparkline(canvas, t.counts, c, width)) button.dataset.drawn = "true"; } };
}

function renderPager(body) {
  const pager = $("pager");
  const pages = Math.ceil(body.count / body.limit);
  pager.hidden = pages <= 1;
  $("pager-text").textContent = body.count === 0 ? "" : (body.offset + 1) + "\u2013" +
    Math.min(body.count, body.offset + body.limit) + " of " + body.count;
  $("pager-prev").disabled = state.page === 0;
  $("pager-next").disabled = state.page >= pages - 1;
}

async function loadOverview() {
  const seq = ++overviewSeq;
  const message = $("overview-message");
  let body;
  try {
    body = await api("overview", Object.assign({ offset: String(state.page * PAGE_SIZE), limit: String(PAGE_SIZE) },
      state.category ? { category: state.category } : {}, rangeParams()));
  } catch (error) {
    if (seq !== overviewSeq) return;
    $("tiles").replaceChildren();
    $("pager").hidden = true;
    message.textContent = (state.category ? "Cannot show category \u201c" + state.category + "\u201d: " : "") + error.message;
    message.hidden = false;
    throw error;
  }
  if (seq !== overviewSeq) return;
  if (body.count > 0 && body.tiles.length === 0 && state.page > 0) {
    state.page = 0;
    writeHash();
    return loadOverview();
  }
  state.timezone = body.timezone;
  $("overview-title").textContent = state.category ? "Category " + state.category : "All metrics";
  $("overview-sub").textContent = body.count + " metric" + (body.count === 1 ? "" : "s") + " \u00b7 " +
    body.starts.length + " " + body.granularity + " in " + body.timezone + " \u00b7 change against the " +
    body.starts.length + " before";
  message.hidden = body.count > 0;
  message.textContent = body.count > 0 ? "" : state.category
    ? "No metric was recorded in category \u201c" + state.category + "\u201d."
    : "Nothing recorded yet: POST events to the API or run tallyboard record.";
  const list = $("tiles");
  const c = colors();
  const note = keptNote(body);
  const tiles = body.tiles.map((t) => tileOf(t, c, body.granularity, note));
  if (body.keptFrom) list.dataset.keptFrom = body.keptFrom;
  else delete list.dataset.keptFrom;
  list.replaceChildren(...tiles.map((t) => t.li));
  // Tiles share one grid column width: measure the first sparkline once, draw them all.
  const spark = list.querySelector("canvas");
  const width = Math.max(60, spark ? spark.clientWidth : 200);
  for (const t of tiles) t.draw(width);
  // For benchmarks: the first "tallyboard:tiles" mark is when the landing showed data.
  if (tiles.length) performance.mark("tallyboard:tiles");
  setTimeout(() => loadUPlot().catch(() => undefined), 500); // ready for the first chart
  list.dataset.count = String(body.count);
  list.dataset.state = "ready";
  renderPager(body);
}

function wireOverview() {
  $("pager-prev").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); writeHash(); refreshView(); });
  $("pager-next").addEventListener("click", () => { state.page += 1; writeHash(); refreshView(); });
}
`;
