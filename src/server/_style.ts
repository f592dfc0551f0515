/**
 * The dashboard's stylesheet: light and dark themes (`prefers-color-scheme`),
 * one column below 760px. Colours of text meet WCAG AA contrast in both.
 */
export const DASHBOARD_CSS = `:root {
  color-scheme: light dark;
  --bg: #f6f8fa; --panel: #ffffff; --text: #1f2328; --muted: #59636e; --border: #d1d9e0;
  --accent: #1f6feb; --accent-fill: rgba(31, 111, 235, 0.35); --accent-soft: #ddf4ff;
  --grid: rgba(128, 128, 128, 0.18); --expired: rgba(128, 128, 128, 0.22); --error: #cf222e; --up: #1a7f37; --down: #cf222e;
  --palette: #1f6feb #bf3989 #1a7f37 #9a6700 #8250df #cf222e #0969da #57606a;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  font-size: 15px;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --panel: #161b22; --text: #e6edf3; --muted: #9198a1; --border: #30363d;
    --accent: #4493f8; --accent-fill: rgba(68, 147, 248, 0.35); --accent-soft: #0c2d6b;
    --error: #f85149; --up: #3fb950; --down: #ff7b72;
    --palette: #4493f8 #f778ba #3fb950 #d29922 #a371f7 #ff7b72 #79c0ff #9198a1;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text); }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 1rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 0; overflow-wrap: anywhere; }
button, select, input { font: inherit; color: inherit; }
select, input[type="search"], button {
  background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 0.3rem 0.55rem;
}
button { cursor: pointer; }
button:focus-visible, select:focus-visible, input:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
ul { list-style: none; margin: 0; padding: 0; }
.hint { color: var(--muted); font-size: 0.9rem; }
.top {
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.75rem 1.5rem; padding: 0.75rem 1rem;
  background: var(--panel); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 2;
}
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; }
.controls label { display: flex; align-items: center; gap: 0.35rem; color: var(--muted); }
#status { color: var(--muted); font-size: 0.85rem; }
#status.error { color: var(--error); }
.layout { display: grid; grid-template-columns: 280px minmax(0, 1fr); gap: 1rem; padding: 1rem; }
.sidebar { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem;
  align-self: start; position: sticky; top: 4.5rem; max-height: calc(100vh - 6rem); overflow: auto; }
.sidebar input[type="search"] { width: 100%; }
.chips { display: flex; flex-wrap: wrap; gap: 0.35rem; }
.chip { border-radius: 999px; padding: 0.15rem 0.65rem; font-size: 0.85rem; }
.chip[aria-pressed="true"], .slug[aria-pressed="true"] { background: var(--accent-soft); border-color: var(--accent); }
.slug[aria-pressed="true"] .slug-name { color: var(--text); }
.slug-list li + li { margin-top: 0.25rem; }
.slug { width: 100%; text-align: left; display: flex; flex-direction: column; border-color: transparent; }
.slug:hover { border-color: var(--border); }
.slug-id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.85rem; overflow-wrap: anywhere; }
.slug-name { color: var(--muted); font-size: 0.8rem; overflow-wrap: anywhere; }
.content { min-width: 0; }
.content > section:first-child h2 { margin-top: 0; }
#gauges-panel { margin-bottom: 1.25rem; }
.gauges { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 0.5rem; }
.gauge { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 0.6rem 0.75rem;
  display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.3rem; }
.gauge-name { width: 100%; color: var(--muted); font-size: 0.85rem; overflow-wrap: anywhere; }
.gauge-value { font-size: 1.5rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.gauge-unit { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 520px), 1fr)); gap: 1rem; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 0.75rem; min-width: 0; }
.chart-head { display: flex; justify-content: space-between; align-items: flex-start; gap: 0.5rem; }
.chart-sub { margin: 0.15rem 0 0.5rem; color: var(--muted); font-size: 0.85rem; overflow-wrap: anywhere; }
.chart-kept, .tile-note { color: var(--muted); font-size: 0.8rem; }
.chart-kept { margin: 0 0 0.5rem; }
.tile-note { display: block; margin-top: 0.15rem; }
.close { border: none; background: none; font-size: 1.3rem; line-height: 1; padding: 0 0.3rem; color: var(--muted); }
.plot { width: 100%; min-height: 220px; overflow: hidden; }
.chart-error { color: var(--error); margin: 0.25rem 0 0; font-size: 0.9rem; }
.chart-error:empty { display: none; }
.card[data-state="error"] .plot { display: none; }
.uplot { font-family: inherit; color: var(--muted); }
.u-legend { font-size: 0.8rem; }
details { margin-top: 1.5rem; }
summary { cursor: pointer; color: var(--muted); font-weight: 600; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5rem; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--border); overflow-wrap: anywhere; }
[hidden] { display: none !important; }
a { color: var(--accent); }
a:focus-visible, .tile:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.tabs { display: flex; gap: 0.25rem; }
.tabs a { padding: 0.3rem 0.7rem; border-radius: 6px; text-decoration: none; color: var(--text); border: 1px solid transparent; }
.tabs a[aria-current="true"] { background: var(--accent-soft); border-color: var(--accent); }
.custom-range { display: flex; flex-wrap: wrap; align-items: center; gap: 0.35rem 0.75rem; }
.custom-range input { background: var(--panel); border: 1px solid var(--border); border-radius: 6px; padding: 0.25rem 0.4rem; }
.message { color: var(--error); background: var(--panel); border: 1px solid var(--error); border-radius: 8px; padding: 0.6rem 0.8rem; }
.hint.error { color: var(--error); }
.capture-list { list-style: none; margin: 0; padding: 0; font-size: 0.9em; }
.capture-list li.error { color: var(--error); }
.capture-label { color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 210px), 1fr)); gap: 0.6rem; }
.tile { width: 100%; height: 100%; display: flex; flex-direction: column; gap: 0.35rem; text-align: left;
  border-radius: 8px; padding: 0.6rem 0.75rem; }
.tile:hover { border-color: var(--accent); }
.tile-head { display: flex; flex-direction: column; min-width: 0; }
.tile-name { font-weight: 600; overflow-wrap: anywhere; }
.tile-sub { color: var(--muted); font-size: 0.8rem; overflow-wrap: anywhere; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.spark { width: 100%; height: 40px; display: block; }
.tile-foot { display: flex; justify-content: space-between; align-items: baseline; gap: 0.5rem; }
.tile-total { font-size: 1.3rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.tile-change { font-size: 0.85rem; font-weight: 600; font-variant-numeric: tabular-nums; color: var(--muted); }
.tile-change.up { color: var(--up); }
.tile-change.down { color: var(--down); }
.tile-change.new { color: var(--accent); }
.pager { display: flex; align-items: center; justify-content: center; gap: 1rem; margin: 1rem 0; }
.pager button:disabled, .chart-tools button:disabled { opacity: 0.55; cursor: default; }
.chart-totals { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; margin-bottom: 0.5rem; }
.chart-total { display: flex; align-items: baseline; gap: 0.45rem; }
.chart-total-name { color: var(--muted); font-size: 0.85rem; overflow-wrap: anywhere; }
.chart-total .tile-total { font-size: 1rem; }
.chart-tools { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; margin-bottom: 0.5rem; }
.chart-tools label { display: flex; align-items: center; gap: 0.35rem; color: var(--muted); }
#chart-view .plot { min-height: 320px; }
.preview { margin-top: 1rem; }
.preview iframe { width: 100%; height: 70vh; border: 1px solid var(--border); border-radius: 6px; background: #ffffff; }
#sets th[scope="row"] { font-weight: 600; }
#sets th, #sets td { overflow-wrap: break-word; }
#sets th[scope="col"], #sets button { white-space: nowrap; }
dialog { background: var(--panel); color: var(--text); border: 1px solid var(--border); border-radius: 10px;
  padding: 1.25rem; width: min(26rem, calc(100vw - 2rem)); }
dialog::backdrop { background: rgba(0, 0, 0, 0.45); }
dialog h2 { margin-top: 0; }
dialog label { display: block; margin-bottom: 0.3rem; }
dialog input { width: 100%; background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 0.4rem 0.5rem; }
.dialog-buttons { display: flex; gap: 0.5rem; justify-content: flex-end; }
@media (max-width: 760px) {
  .layout { grid-template-columns: minmax(0, 1fr); padding: 0.5rem; }
  .sidebar { position: static; max-height: 45vh; order: 2; }
  .top { position: static; padding: 0.6rem 0.75rem; }
  .tiles { grid-template-columns: repeat(auto-fill, minmax(min(100%, 150px), 1fr)); }
  .tile-total { font-size: 1.1rem; }
  .preview iframe { height: 60vh; }
}
`;
