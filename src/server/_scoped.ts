import type { Context, Hono, MiddlewareHandler, Next } from "hono";
import { matchedRoutes } from "hono/route";
import { errorResponse } from "./_errors.js";

type Handler = (c: Context, next: Next) => unknown;

/** Middleware to put in front of one route: it sees the route's method and path (relative to the sub-app). */
export type ChainFor = (method: string, path: string) => MiddlewareHandler[];

/**
 * Copy `sub`'s routes into `target` under `prefix`, each with its own
 * middleware chain (`chainFor`), instead of `*` middleware. That keeps
 * tallyboard's headers and auth on tallyboard's routes only, also when the app
 * is mounted at `/` inside a parent app with routes of its own.
 *
 * Each path also gets a last `ALL` route answering 405 with an `Allow`
 * header for the other methods — unless a route registered later (a parent
 * app's, on the same path) can answer that method.
 */
export function mountScoped(target: Hono, prefix: string, sub: Hono, chainFor: ChainFor): void {
  const groups = new Map<string, { method: string; path: string; handlers: Handler[] }>();
  for (const route of sub.routes) {
    const key = `${route.method} ${route.path}`;
    const group = groups.get(key) ?? { method: route.method, path: route.path, handlers: [] };
    group.handlers.push(route.handler as Handler);
    groups.set(key, group);
  }
  // Hono's overloads do not take a spread of handlers: add routes through one plain signature.
  const on = target.on.bind(target) as unknown as (m: string, p: string, ...h: Handler[]) => void;
  const methods = new Map<string, Set<string>>();
  for (const { method, path, handlers } of groups.values()) {
    on(method, `${prefix}${path}`, ...chainFor(method, path), ...handlers);
    if (method === "ALL") continue;
    const set = methods.get(path) ?? new Set<string>();
    set.add(method);
    if (method === "GET") set.add("HEAD");
    methods.set(path, set);
  }
  for (const [path, allowed] of methods) {
    const allow = [...allowed].sort().join(", ");
    const chain = chainFor("ALL", path);
    on("ALL", `${prefix}${path}`, async (c, next) => {
      const later = matchedRoutes(c).slice(c.req.routeIndex + 1);
      if (later.some((r) => r.method === "ALL" || r.method === c.req.method)) return next();
      // Run the chain (headers) only when answering, never around a parent's route.
      const run = async (i: number): Promise<void> => {
        const middleware = chain[i];
        if (middleware) return void (await middleware(c, () => run(i + 1)));
        c.header("Allow", allow);
        c.res = errorResponse(
          c,
          405,
          "E_METHOD_NOT_ALLOWED",
          `${c.req.method} is not allowed here; use ${allow}`,
        );
      };
      await run(0);
      return c.res;
    });
  }
}
