import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Context, Hono } from "hono";
import type { Metrics } from "../core/index.js";
import { describeValue, MetricsError } from "../errors.js";
import { overviewRoutes } from "./_api-overview.js";
import { type PreviewFrames, previewFrames, reportRoutes, type SendNowOptions } from "./_api-reports.js";
import { CLIENT_AUTH } from "./_client-auth.js";
import { CLIENT_CAPTURE } from "./_client-capture.js";
import { CLIENT_CHART } from "./_client-chart.js";
import { CLIENT_DATA } from "./_client-data.js";
import { CLIENT_OVERVIEW } from "./_client-overview.js";
import { CLIENT_SETS } from "./_client-sets.js";
import { CLIENT_VIEW } from "./_client-view.js";
import { FAVICON_SVG, pageHtml } from "./_page.js";
import { DASHBOARD_CSS } from "./_style.js";

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";
/** The sandboxed report preview may use the inline styles of an e-mail, and nothing else. */
const PREVIEW_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox";

/** The dashboard's script: the `_client-*.ts` parts as one ES module. */
export const DASHBOARD_JS =
  CLIENT_DATA + CLIENT_AUTH + CLIENT_OVERVIEW + CLIENT_CHART + CLIENT_SETS + CLIENT_CAPTURE + CLIENT_VIEW;

/** A file of the `uplot` package, read once. */
function packageFile(specifier: string): () => Promise<string> {
  let text: Promise<string> | undefined;
  return () => {
    text ??= (async () => {
      try {
        return await readFile(createRequire(import.meta.url).resolve(specifier), "utf8");
      } catch (cause) {
        text = undefined;
        throw new MetricsError(
          "E_MISSING_DEPENDENCY",
          `The dashboard needs ${specifier}; run npm install uplot`,
          {
            cause,
          },
        );
      }
    })();
    return text;
  };
}

const uplotJs = packageFile("uplot/dist/uPlot.esm.js");
const uplotCss = packageFile("uplot/dist/uPlot.min.css");

const send = (c: Context, body: string, type: string, cache = "no-cache"): Response => {
  c.header("Content-Type", type);
  c.header("Cache-Control", cache);
  return c.body(body);
};

/** Asset prefix of the page at `url`: "" when its path ends with "/", else its last segment and "/". */
function assetPrefix(url: string): string {
  const path = new URL(url).pathname;
  return path.endsWith("/") ? "" : `${path.slice(path.lastIndexOf("/") + 1)}/`;
}

/**
 * The dashboard's API routes (mounted under `/api/v1` beside the others):
 * `GET /overview`, `GET /sets/schedule`, `GET /sets/:name/preview`,
 * `POST /sets/:name/send`; and the store of rendered previews that
 * {@link dashboardRoutes} serves to the preview iframe.
 */
export function dashboardApi(deps: {
  metrics: Metrics;
  now: () => number;
  sendNow?: SendNowOptions | undefined;
}): { routes: Hono; frames: PreviewFrames } {
  const { sendNow } = deps;
  if (sendNow !== undefined && typeof sendNow?.transport?.send !== "function") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `reports must be { transport, from? } with a transport that has send(), got ${describeValue(sendNow)}`,
    );
  }
  const frames = previewFrames();
  const routes = new Hono();
  routes.route("/", overviewRoutes(deps));
  routes.route("/", reportRoutes({ ...deps, frames }));
  return { routes, frames };
}

/**
 * Routes of the dashboard page and its assets: the page at `${base}` and
 * `${base}/` (asset URLs relative to either), `${base}/assets/dashboard.js|css`,
 * uPlot from node_modules, a favicon, and `${base}/report-preview/:id`, the
 * HTML of a report preview (an unguessable id handed out by the read-scoped
 * preview route) under a CSP that allows only inline styles, in a sandbox.
 */
export function dashboardRoutes(base: string, frames?: PreviewFrames): Hono {
  const app = new Hono();
  const page = (c: Context) => send(c, pageHtml(assetPrefix(c.req.url)), "text/html; charset=utf-8");
  if (base) app.get(base, page);
  app.get(`${base}/`, page);
  // Mounted with parent.route("/metrics", app), `${base}/` becomes "/metrics"; this matches "/metrics/".
  app.get(`${base}/:trailingSlash{.{0}}`, page);
  app.get(`${base}/assets/dashboard.js`, (c) => send(c, DASHBOARD_JS, JS));
  app.get(`${base}/assets/dashboard.css`, (c) => send(c, DASHBOARD_CSS, CSS));
  app.get(`${base}/assets/favicon.svg`, (c) =>
    send(c, FAVICON_SVG, "image/svg+xml", "public, max-age=86400"),
  );
  app.get(`${base}/assets/uPlot.esm.js`, async (c) => send(c, await uplotJs(), JS, "public, max-age=86400"));
  app.get(`${base}/assets/uPlot.min.css`, async (c) =>
    send(c, await uplotCss(), CSS, "public, max-age=86400"),
  );
  app.get(`${base}/report-preview/:id`, (c) => {
    const html = frames?.get(c.req.param("id"));
    if (html === undefined) {
      c.header("Content-Security-Policy", PREVIEW_CSP);
      return c.text("This preview has expired; preview the report again.", 404);
    }
    c.header("Content-Security-Policy", PREVIEW_CSP);
    c.header("X-Frame-Options", "SAMEORIGIN");
    c.header("Origin-Agent-Cluster", "?0"); // an opaque-origin sandbox cannot be origin-keyed
    return send(c, html, "text/html; charset=utf-8", "no-store");
  });
  return app;
}
