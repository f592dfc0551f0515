/**
 * Browser code of the dashboard, part 3 of 3: lists, gauges, definitions,
 * pickers and wiring; starts the page. Every string from the API goes into the
 * page through `textContent` or an attribute, never as markup.
 * Plain JavaScript, no template literals.
 */
export const CLIENT_VIEW = `
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
