/**
 * The dashboard's HTML: static, no data and no inline script or style, so the
 * CSP can be `default-src 'self'`. Asset URLs are relative, so the page works
 * under any `basePath` or reverse-proxy prefix (the app redirects `/base` to `/base/`).
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>tallyboard</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/uPlot.min.css">
<link rel="stylesheet" href="assets/dashboard.css">
<script type="module" src="assets/dashboard.js"></script>
</head>
<body>
<header class="top">
  <h1>tallyboard</h1>
  <div class="controls">
    <label>Granularity <select id="granularity" name="granularity"></select></label>
    <label>Range <select id="range" name="range"></select></label>
    <label class="toggle"><input type="checkbox" id="autorefresh" checked> Auto-refresh 10&nbsp;s</label>
    <button id="refresh" type="button">Refresh</button>
    <span id="status" role="status" aria-live="polite"></span>
  </div>
</header>
<main class="layout">
  <nav class="sidebar" aria-label="Metrics">
    <input id="search" type="search" placeholder="Search slugs and names" aria-label="Search slugs and names" autocomplete="off">
    <section>
      <h2>Categories</h2>
      <ul id="categories" class="chips"></ul>
    </section>
    <section>
      <h2>Slugs <span id="slug-count"></span></h2>
      <ul id="slugs" class="slug-list"></ul>
    </section>
  </nav>
  <div class="content">
    <section id="gauges-panel" hidden>
      <h2>Gauges</h2>
      <ul id="gauges" class="gauges"></ul>
    </section>
    <section>
      <h2>Charts</h2>
      <p id="empty" class="hint">Pick a slug to chart it.</p>
      <div id="charts" class="charts"></div>
    </section>
    <details id="definitions-panel" hidden>
      <summary>Definitions</summary>
      <div class="table-wrap">
        <table id="definitions">
          <thead><tr><th>Slug</th><th>Name</th><th>Unit</th><th>Description</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </details>
  </div>
</main>
</body>
</html>
`;

/** A small bar-chart icon, so browsers do not ask for a missing /favicon.ico. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f6feb"/><rect x="3" y="8" width="2" height="5" fill="#fff"/><rect x="7" y="4" width="2" height="9" fill="#fff"/><rect x="11" y="6" width="2" height="7" fill="#fff"/></svg>
`;
