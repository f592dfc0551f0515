import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Context, Hono } from "hono";
import { MetricsError } from "../errors.js";
import { CLIENT_CHART } from "./_client-chart.js";
import { CLIENT_DATA } from "./_client-data.js";
import { CLIENT_VIEW } from "./_client-view.js";
import { FAVICON_SVG, PAGE_HTML } from "./_page.js";
import { DASHBOARD_CSS } from "./_style.js";

const JS = "text/javascript; charset=utf-8";
const CSS = "text/css; charset=utf-8";

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

/**
 * Routes of the dashboard page and its assets: the page at `${base}/`,
 * `${base}/assets/dashboard.js|css`, uPlot from node_modules, a favicon; and a
 * redirect from `${base}` to `${base}/` so that relative asset URLs resolve.
 */
export function dashboardRoutes(base: string): Hono {
  const app = new Hono();
  if (base) app.get(base, (c) => c.redirect(`${base}/${new URL(c.req.url).search}`, 308));
  const script = CLIENT_DATA + CLIENT_CHART + CLIENT_VIEW;
  // Mounted with parent.route("/metrics", app), `${base}/` becomes "/metrics" (redirected to
  // "/metrics/" for the relative URLs) and the empty parameter below matches "/metrics/".
  const page = (c: Context) =>
    c.req.path.endsWith("/")
      ? send(c, PAGE_HTML, "text/html; charset=utf-8")
      : c.redirect(`${c.req.path.replace(/^\/+/, "/")}/${new URL(c.req.url).search}`, 308);
  app.get(`${base}/`, page);
  app.get(`${base}/:trailingSlash{.{0}}`, page);
  app.get(`${base}/assets/dashboard.js`, (c) => send(c, script, JS));
  app.get(`${base}/assets/dashboard.css`, (c) => send(c, DASHBOARD_CSS, CSS));
  app.get(`${base}/assets/favicon.svg`, (c) =>
    send(c, FAVICON_SVG, "image/svg+xml", "public, max-age=86400"),
  );
  app.get(`${base}/assets/uPlot.esm.js`, async (c) => send(c, await uplotJs(), JS, "public, max-age=86400"));
  app.get(`${base}/assets/uPlot.min.css`, async (c) =>
    send(c, await uplotCss(), CSS, "public, max-age=86400"),
  );
  return app;
}
