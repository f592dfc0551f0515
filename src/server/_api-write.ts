import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Metrics } from "../core/index.js";
import { ApiError, errorResponse } from "./_errors.js";
import { parseEvents, parseGauge } from "./_schemas.js";

interface WriteDeps {
  metrics: Metrics;
  maxBodyBytes: number;
  maxEvents: number;
}

/** The JSON body of a request; 415 unless it is declared as JSON (this also keeps cross-site forms out). */
async function jsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new ApiError(
      415,
      "E_UNSUPPORTED_MEDIA_TYPE",
      "Send the body as JSON with Content-Type: application/json",
    );
  }
  try {
    return await c.req.json();
  } catch {
    throw new ApiError(400, "E_INVALID_REQUEST", "The body is not valid JSON");
  }
}

/** The POST/PUT routes of `/api/v1`. */
export function writeRoutes({ metrics, maxBodyBytes, maxEvents }: WriteDeps): Hono {
  const app = new Hono();
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) =>
      errorResponse(c, 413, "E_PAYLOAD_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes; split it`),
  });

  // All or nothing: recordMany validates every event before it writes any.
  app.post("/events", limit, async (c) => {
    const events = parseEvents(await jsonBody(c), maxEvents);
    await metrics.recordMany(events);
    return c.json({ accepted: events.length }, 202);
  });

  app.put("/gauges/:slug", limit, async (c) => {
    const slug = c.req.param("slug");
    const value = parseGauge(await jsonBody(c));
    await metrics.setGauge(slug, value);
    return c.json({ slug, value });
  });

  return app;
}
