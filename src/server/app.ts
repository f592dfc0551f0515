import { Hono, type MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { Metrics } from "../core/index.js";
import { describeValue, MetricsError } from "../errors.js";
import type { Logger } from "../stores/types.js";
import { checkQueueOption, healthRoutes } from "./_api-health.js";
import { readRoutes } from "./_api-read.js";
import { setsRoutes } from "./_api-sets.js";
import { writeRoutes } from "./_api-write.js";
import { prepareTokens, requireScope } from "./_auth.js";
import { dashboardApi, dashboardRoutes } from "./_dashboard.js";
import { createErrorHandler, errorResponse } from "./_errors.js";
import { booleanOption, checkOptions, positiveOption } from "./_options.js";
import { registerApp } from "./_registry.js";
import { mountScoped } from "./_scoped.js";
import type { AppOptions } from "./types.js";

const BASE_PATH = /^(?:\/[A-Za-z0-9._~-]+)*$/;

const KEYS = [
  "auth",
  "basePath",
  "maxBodyBytes",
  "maxEvents",
  "dashboard",
  "now",
  "logger",
  "reports",
  "queue",
];
const METHODS = ["recordMany", "history", "slugs", "slugInfo", "total", "gauge", "setGauge", "definitions"];

/** `createApp()`'s arguments, checked before anything is built. */
function checkArguments(metrics: unknown, input: unknown): AppOptions {
  const missing =
    metrics === null || typeof metrics !== "object"
      ? "recordMany"
      : METHODS.find((m) => typeof (metrics as Record<string, unknown>)[m] !== "function");
  if (missing !== undefined || typeof (metrics as { store?: unknown }).store !== "object") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `createApp() needs a metrics instance from createMetrics(), got ${describeValue(metrics)}`,
    );
  }
  const options = checkOptions<AppOptions>("createApp() option", input, KEYS);
  if (options.now !== undefined && typeof options.now !== "function") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `now must be a function returning epoch milliseconds, got ${describeValue(options.now)}`,
    );
  }
  const logger: unknown = options.logger;
  if (
    logger !== undefined &&
    (logger === null ||
      typeof logger !== "object" ||
      typeof (logger as Logger).warn !== "function" ||
      typeof (logger as Logger).error !== "function")
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `logger must have warn() and error() methods, got ${describeValue(logger)}`,
    );
  }
  return options;
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
export function createApp(metrics: Metrics, input: AppOptions = {}): Hono {
  const options = checkArguments(metrics, input);
  const base = options.basePath ?? "";
  if (typeof base !== "string" || !BASE_PATH.test(base)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `basePath must be "" or like "/metrics" (no trailing slash), got ${describeValue(base)}`,
    );
  }
  const maxBodyBytes = positiveOption("maxBodyBytes", options.maxBodyBytes, 2 * 1024 * 1024);
  const maxEvents = positiveOption("maxEvents", options.maxEvents, 10_000);
  const dashboard = booleanOption("dashboard", options.dashboard, true);
  const tokens = options.auth === undefined ? null : prepareTokens(options.auth);
  const now = options.now ?? Date.now;

  const api = new Hono();
  api.route("/", healthRoutes({ metrics, queue: checkQueueOption(options.queue) }));
  api.route("/", readRoutes({ metrics, now }));
  const views = dashboardApi({ metrics, now, sendNow: options.reports });
  api.route("/", views.routes);
  api.route("/", setsRoutes({ metrics }));
  api.route("/", writeRoutes({ metrics, maxBodyBytes, maxEvents }));

  const secure = secureHeaders({
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
  });
  const noStore: MiddlewareHandler = async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  };
  const read = tokens && requireScope(tokens, "read");
  const write = tokens && requireScope(tokens, "write");
  // Headers and auth sit in front of each of tallyboard's own routes (no "*"
  // middleware), so a parent app that mounts this one keeps its own headers.
  const app = new Hono();
  mountScoped(app, `${base}/api/v1`, api, (method, path) => {
    // /healthz stays open for load balancers; a 405 needs no token either.
    const scope = path === "/healthz" || method === "ALL" ? null : method === "GET" ? read : write;
    return scope ? [secure, noStore, scope] : [secure, noStore];
  });
  if (dashboard) mountScoped(app, "", dashboardRoutes(base, views.frames), () => [secure]);
  app.notFound(async (c) => {
    await secure(c, async () => {
      c.res = errorResponse(c, 404, "E_NOT_FOUND", `No route for ${c.req.method} ${c.req.path}`);
    });
    return c.res;
  });
  app.onError(createErrorHandler(options.logger));
  registerApp(app, { hasTokens: tokens !== null, logger: options.logger });
  return app;
}
