import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { Metrics } from "../core/index.js";
import { describeValue, MetricsError } from "../errors.js";
import { readRoutes } from "./_api-read.js";
import { setsRoutes } from "./_api-sets.js";
import { writeRoutes } from "./_api-write.js";
import { prepareTokens, requireScope } from "./_auth.js";
import { dashboardApi, dashboardRoutes } from "./_dashboard.js";
import { createErrorHandler, errorResponse } from "./_errors.js";
import type { AppOptions } from "./types.js";

const BASE_PATH = /^(?:\/[A-Za-z0-9._~-]+)*$/;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (Number.isSafeInteger(value) && value > 0) return value;
  throw new MetricsError(
    "E_INVALID_OPTION",
    `${name} must be a positive integer, got ${describeValue(value)}`,
  );
}

/**
 * The HTTP API (`/api/v1`) and dashboard (`/`) over a metrics instance, as a
 * Hono app: serve it with {@link serve}, mount it in another Hono app, or call
 * `app.request()` in tests. Throws `E_INVALID_OPTION` for bad options.
 *
 * @example
 * const app = createApp(createMetrics(), { auth: { tokens: [{ token: "s3cret", scopes: ["read", "write"] }] } });
 * const server = await serve(app, { port: 8787 });
 */
export function createApp(metrics: Metrics, options: AppOptions = {}): Hono {
  const base = options.basePath ?? "";
  if (typeof base !== "string" || !BASE_PATH.test(base)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `basePath must be "" or like "/metrics" (no trailing slash), got ${describeValue(base)}`,
    );
  }
  const maxBodyBytes = positive("maxBodyBytes", options.maxBodyBytes, 2 * 1024 * 1024);
  const maxEvents = positive("maxEvents", options.maxEvents, 10_000);
  const tokens = options.auth === undefined ? null : prepareTokens(options.auth);
  const now = options.now ?? Date.now;

  const api = new Hono();
  api.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });
  api.get("/healthz", async (c) => {
    await metrics.slugInfo("tallyboard.healthz"); // one cheap read: 503 when the store is down
    return c.json({ ok: true, store: metrics.store.kind });
  });
  if (tokens) {
    // Registered after /healthz, which stays open for load balancers.
    const read = requireScope(tokens, "read");
    const write = requireScope(tokens, "write");
    api.use("*", (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? read : write)(c, next));
  }
  api.route("/", readRoutes({ metrics, now }));
  const dashboard = dashboardApi({ metrics, now, sendNow: options.reports });
  api.route("/", dashboard.routes);
  api.route("/", setsRoutes({ metrics }));
  api.route("/", writeRoutes({ metrics, maxBodyBytes, maxEvents }));

  const app = new Hono();
  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: "no-referrer",
      xFrameOptions: "DENY",
      permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
      overwrite: false, // the report preview frame sets its own CSP
    }),
  );
  app.route(`${base}/api/v1`, api);
  if (options.dashboard !== false) app.route("/", dashboardRoutes(base, dashboard.frames));
  app.notFound((c) => errorResponse(c, 404, "E_NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`));
  app.onError(createErrorHandler(options.logger));
  return app;
}
