const ATTRIBUTE = /[&<>"']/g;
const ENTITY: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * The dashboard's HTML: static, no data and no inline script or style, so the
 * CSP can be `default-src 'self'`. `prefix` makes the asset URLs relative to
 * the page: `""` when the page URL ends with `/`, else its last path segment
 * and a slash (the page at `/metrics` loads `metrics/assets/…`). The script
 * resolves everything else against its own URL, so the page works under any
 * `basePath`, parent-app mount or reverse-proxy prefix.
 */
export function pageHtml(prefix: string): string {
  const p = prefix.replace(ATTRIBUTE, (ch) => ENTITY[ch] ?? ch);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>tallyboard</title>
<link rel="icon" href="${p}assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${p}assets/uPlot.min.css">
<link rel="stylesheet" href="${p}assets/dashboard.css">
<script type="module" src="${p}assets/dashboard.js"></script>
</head>
<body>
<header class="top">
  <h1>tallyboard</h1>
  <nav class="tabs" aria-label="Views">
    <a id="tab-overview" href="#v=overview">Overview</a>
    <a id="tab-chart" href="#v=chart">Chart</a>
    <a id="tab-sets" href="#v=sets">Metric sets</a>
  </nav>
  <div class="controls">
    <label>Granularity <select id="granularity" name="granularity"></select></label>
    <label>Range <select id="range" name="range"></select></label>
    <form id="custom-range" class="custom-range" hidden>
      <label>From <input id="from" name="from" type="datetime-local" step="60"></label>
      <label>To <input id="to" name="to" type="datetime-local" step="60"></label>
      <button type="submit">Apply</button>
    </form>
    <label class="toggle"><input type="checkbox" id="autorefresh" checked> Auto-refresh 10&nbsp;s</label>
    <button id="refresh" type="button">Refresh</button>
    <button id="signin-open" type="button" hidden>Sign in</button>
    <span id="status" role="status" aria-live="polite"></span>
  </div>
</header>
<div class="layout">
  <nav class="sidebar" aria-label="Metrics">
    <input id="search" type="search" placeholder="Search slugs and names" aria-label="Search slugs and names" autocomplete="off">
    <section aria-labelledby="categories-title">
      <h2 id="categories-title">Categories</h2>
      <ul id="categories" class="chips"></ul>
    </section>
    <section aria-labelledby="slugs-title">
      <h2 id="slugs-title">Slugs <span id="slug-count"></span></h2>
      <ul id="slugs" class="slug-list"></ul>
    </section>
    <section id="capture-panel" aria-labelledby="capture-title" hidden>
      <h2 id="capture-title">Capture</h2>
      <ul id="capture-list" class="capture-list"></ul>
    </section>
  </nav>
  <main class="content" id="content" tabindex="-1">
    <section id="overview-view" aria-labelledby="overview-title">
      <section id="gauges-panel" aria-labelledby="gauges-title" hidden>
        <h2 id="gauges-title">Gauges</h2>
        <ul id="gauges" class="gauges"></ul>
      </section>
      <h2 id="overview-title">All metrics</h2>
      <p id="overview-sub" class="hint"></p>
      <p id="overview-message" class="message" aria-live="polite" hidden></p>
      <ul id="tiles" class="tiles"></ul>
      <nav id="pager" class="pager" aria-label="Overview pages" hidden>
        <button id="pager-prev" type="button">Previous</button>
        <span id="pager-text"></span>
        <button id="pager-next" type="button">Next</button>
      </nav>
    </section>
    <section id="chart-view" aria-labelledby="chart-heading" hidden>
      <h2 id="chart-heading">Chart</h2>
      <p id="chart-hint" class="hint">Pick one or more slugs on the left, or a tile of the overview.</p>
      <article id="chart-card" class="card" hidden>
        <h3 id="chart-title"></h3>
        <p id="chart-sub" class="chart-sub"></p>
        <p id="chart-kept" class="chart-kept" hidden></p>
        <ul id="chart-totals" class="chart-totals"></ul>
        <div class="chart-tools">
          <label class="toggle"><input type="checkbox" id="compare" checked> Previous range (dashed)</label>
          <button id="reset-zoom" type="button" disabled>Reset zoom</button>
          <button id="download" type="button">Download CSV</button>
        </div>
        <div id="plot" class="plot"></div>
        <p id="chart-error" class="chart-error"></p>
      </article>
    </section>
    <section id="sets-view" aria-labelledby="sets-title" hidden>
      <h2 id="sets-title">Metric sets</h2>
      <p id="sets-empty" class="hint" hidden>No metric set yet: create one with createReports().createMetricSet() or tallyboard sets.</p>
      <div class="table-wrap">
        <table id="sets">
          <thead><tr><th scope="col">Set</th><th scope="col">Metrics</th><th scope="col">Recipients</th><th scope="col">Schedule</th><th scope="col">Latest closed period</th><th scope="col">Next due</th><th scope="col">Report</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <section id="preview-panel" class="card preview" aria-labelledby="preview-title" hidden>
        <h3 id="preview-title"></h3>
        <p id="preview-meta" class="chart-sub"></p>
        <p><button id="send-now" type="button" hidden>Send now</button> <span id="send-status" role="status"></span></p>
        <iframe id="preview-frame" sandbox="" title="Report preview" referrerpolicy="no-referrer"></iframe>
      </section>
    </section>
    <details id="definitions-panel" hidden>
      <summary>Definitions</summary>
      <div class="table-wrap">
        <table id="definitions">
          <thead><tr><th scope="col">Slug</th><th scope="col">Name</th><th scope="col">Unit</th><th scope="col">Description</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </details>
  </main>
</div>
<dialog id="signin" aria-labelledby="signin-title">
  <form id="signin-form">
    <h2 id="signin-title">Sign in</h2>
    <p id="signin-message"></p>
    <label for="signin-token">Access token</label>
    <input id="signin-token" name="token" type="password" autocomplete="off" required>
    <p class="hint">Kept for this tab only (sessionStorage).</p>
    <div class="dialog-buttons"><button type="submit">Sign in</button> <button id="signin-cancel" type="button">Cancel</button></div>
  </form>
</dialog>
</body>
</html>
`;
}

/** A small bar-chart icon, so browsers do not ask for a missing /favicon.ico. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6feb"/><rect x="3" y="8" width="2" height="5" fill="#fff"/><rect x="7" y="4" width="2" height="9" fill="#fff"/><rect x="11" y="6" width="2" height="7" fill="#fff"/></svg>
`;
