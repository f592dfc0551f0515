/**
 * Browser code of the dashboard, part 6: sidebar lists, gauges, definitions,
 * pickers, the view router (overview, chart, metric sets; kept in the hash)
 * and wiring; starts the page. Every string from the API goes into the page
 * through `textContent` or an attribute, never as markup.
 * Plain JavaScript, no template literals.
 */
export const CLIENT_VIEW = String.raw`
function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", Boolean(isError));
}

function showError(error) {
  setStatus(error.message, true);
}

async function loadLists() {
  const [categories, slugs, definitions, gauges, health] = await Promise.all([
    api("categories"), api("slugs"), api("definitions"), api("gauges"), api("healthz"),
  ]);
  state.health = health;
  state.categories = categories.categories;
  state.slugs = slugs.slugs;
  state.definitions = new Map(definitions.definitions.map((d) => [d.slug, d]));
  state.gauges = gauges.gauges;
  state.categoryError = "";
  state.categorySlugs = null;
  if (state.category) {
    try {
      state.categorySlugs = new Set((await api("categories/" + encodeURIComponent(state.category) + "/slugs")).slugs);
    } catch (error) {
      state.categorySlugs = new Set();
      state.categoryError = error.message;
    }
  }
}

function renderCategories() {
  const list = $("categories");
  list.replaceChildren();
  const names = [""].concat(state.categories);
  if (state.category && !state.categories.includes(state.category)) names.push(state.category);
  for (const name of names) {
    const button = el("button", "chip", name || "All");
    button.type = "button";
    button.setAttribute("aria-pressed", String(state.category === name));
    button.addEventListener("click", () => { state.category = name; state.page = 0; state.view = state.view === "sets" ? "overview" : state.view;
      writeHash(); refreshAll(); });
    const li = el("li");
    li.append(button);
    list.append(li);
  }
}

function renderSlugs() {
  const query = state.search.toLowerCase();
  const matches = state.slugs.filter((slug) => {
    if (state.categorySlugs && !state.categorySlugs.has(slug)) return false;
    return !query || slug.toLowerCase().includes(query) || titleOf(slug).toLowerCase().includes(query);
  });
  const list = $("slugs");
  list.replaceChildren();
  for (const slug of matches.slice(0, MAX_LISTED)) {
    const button = el("button", "slug");
    button.type = "button";
    button.dataset.slug = slug;
    button.setAttribute("aria-pressed", String(state.view === "chart" && state.selected.includes(slug)));
    button.append(el("span", "slug-id", slug));
    const d = state.definitions.get(slug);
    if (d) button.append(el("span", "slug-name", d.unit ? d.name + " (" + d.unit + ")" : d.name));
    button.addEventListener("click", () => (state.view === "chart" ? toggle(slug) : openChart([slug])));
    const li = el("li");
    li.append(button);
    list.append(li);
  }
  if (matches.length > MAX_LISTED) list.append(el("li", "hint", (matches.length - MAX_LISTED) + " more: refine the search"));
  if (state.categoryError) list.append(el("li", "hint error", state.categoryError));
  else if (matches.length === 0) list.append(el("li", "hint", state.slugs.length ? "No slug matches." : "Nothing recorded yet."));
  $("slug-count").textContent = "(" + matches.length + ")";
}

function renderGauges() {
  const list = $("gauges");
  list.replaceChildren();
  for (const g of state.gauges) {
    const d = state.definitions.get(g.slug);
    const li = el("li", "gauge");
    li.dataset.slug = g.slug;
    const value = el("span", "gauge-value", formatNumber(g.value));
    value.title = String(g.value);
    li.append(el("span", "gauge-name", d ? d.name : g.slug), value);
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

function renderPickers() {
  const r = $("range");
  $("granularity").value = state.granularity;
  for (const option of r.options) option.disabled = option.value !== CUSTOM && pointsOf(option.value, state.granularity) > MAX_POINTS;
  if (state.range !== CUSTOM && pointsOf(state.range, state.granularity) > MAX_POINTS) {
    const allowed = RANGES.filter((x) => pointsOf(x[0], state.granularity) <= MAX_POINTS);
    state.range = allowed[allowed.length - 1][0];
  }
  r.value = state.range;
  $("custom-range").hidden = state.range !== CUSTOM;
  $("from").value = state.from;
  $("to").value = state.to;
}

function showView() {
  for (const view of VIEWS) {
    $(view + "-view").hidden = state.view !== view;
    $("tab-" + view).setAttribute("aria-current", String(state.view === view));
    if (state.view !== view) $("tab-" + view).removeAttribute("aria-current");
  }
}

function route() {
  showView();
  renderSlugs();
  refreshView().catch(showError);
}

function refreshView() {
  if (state.view === "chart") return loadChart();
  if (state.view === "sets") return loadSets();
  return loadOverview();
}

let busy = false;
async function refreshAll() {
  if (busy) return;
  busy = true;
  try {
    // The view first (the landing's tiles), then the sidebar's lists.
    const viewError = await refreshView().then(() => null, (error) => error);
    await loadLists();
    renderCategories();
    renderSlugs();
    renderGauges();
    renderDefinitions();
    renderCapture();
    if (viewError) throw viewError;
    $("signin-open").hidden = true;
    setStatus("Updated " + new Date().toLocaleTimeString(), false);
  } catch (error) {
    showError(error);
  } finally {
    busy = false;
  }
}

function wire() {
  const g = $("granularity");
  const r = $("range");
  for (const name of GRANULARITIES) g.append(new Option(name, name));
  for (const [value, label] of RANGES) r.append(new Option(label, value));
  r.append(new Option("Custom\u2026", CUSTOM));
  g.addEventListener("change", () => { state.granularity = g.value; renderPickers(); writeHash(); refreshView().catch(showError); });
  r.addEventListener("change", () => {
    state.range = r.value;
    renderPickers();
    if (state.range === CUSTOM) return $("from").focus();
    writeHash();
    refreshView().catch(showError);
  });
  $("custom-range").addEventListener("submit", (event) => {
    event.preventDefault();
    state.from = $("from").value;
    state.to = $("to").value;
    if (!state.from) return setStatus("Give a start for the custom range", true);
    writeHash();
    refreshView().then(() => setStatus("Updated " + new Date().toLocaleTimeString(), false), showError);
  });
  $("search").addEventListener("input", (e) => { state.search = e.target.value; renderSlugs(); });
  const auto = $("autorefresh");
  auto.addEventListener("change", () => { state.auto = auto.checked; });
  $("refresh").addEventListener("click", () => { authCancelled = false; refreshAll(); });
  $("signin-open").addEventListener("click", () => { authCancelled = false; refreshAll(); });
  window.addEventListener("hashchange", () => { readHash(); renderPickers(); writeHash(); renderCategories(); route(); });
  wireOverview();
  wireChart();
  wireSets();
  setInterval(() => { if (state.auto && !document.hidden && !asking && state.view !== "sets") refreshAll(); }, REFRESH_MS);
}

takeTokenFromUrl();
readHash();
wire();
renderPickers();
writeHash();
showView();
refreshAll();
`;
