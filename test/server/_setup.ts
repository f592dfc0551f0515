import { createMetrics, type Metrics, type MetricsOptions } from "../../src/core/index.js";
import { type AppOptions, createApp } from "../../src/server/index.js";

/** 2024-03-15T12:34:56Z, a Friday: every test runs at this instant. */
export const NOW = Date.UTC(2024, 2, 15, 12, 34, 56);

/** A parsed response body; tests check it field by field. */
// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
export type Json = any;

export interface TestApp {
  metrics: Metrics;
  app: ReturnType<typeof createApp>;
  /** GET (or any method via init) and parse a JSON answer. */
  get(path: string, headers?: Record<string, string>): Promise<{ status: number; body: Json; res: Response }>;
  /** Send a JSON body. */
  send(
    path: string,
    body: unknown,
    init?: { method?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: Json; res: Response }>;
}

async function parse(res: Response): Promise<{ status: number; body: Json; res: Response }> {
  const text = await res.clone().text();
  const json = res.headers.get("Content-Type")?.startsWith("application/json");
  return { status: res.status, body: json ? JSON.parse(text) : text, res };
}

/** A memory-store metrics instance (fixed clock) and an app over it. */
export function setup(appOptions: AppOptions = {}, metricsOptions: MetricsOptions = {}): TestApp {
  const metrics = createMetrics({ now: () => NOW, ...metricsOptions });
  const app = createApp(metrics, { now: () => NOW, ...appOptions });
  return {
    metrics,
    app,
    get: async (path, headers = {}) => parse(await app.request(path, { headers })),
    send: async (path, body, init = {}) =>
      parse(
        await app.request(path, {
          method: init.method ?? "POST",
          headers: { "Content-Type": "application/json", ...init.headers },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
      ),
  };
}
