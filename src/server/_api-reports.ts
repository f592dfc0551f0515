import { randomBytes } from "node:crypto";
import { Cron } from "croner";
import { Hono } from "hono";
import type { Metrics } from "../core/index.js";
import { MetricsError } from "../errors.js";
import {
  buildReport,
  createReports,
  lastClosedPeriod,
  type MetricSet,
  type ReportTransport,
} from "../reports/index.js";
import type { Granularity } from "../time/index.js";
import { ApiError } from "./_errors.js";

const CALENDAR: Record<string, Granularity> = { daily: "days", weekly: "weeks", monthly: "months" };
const FRAME_TTL_MS = 5 * 60_000;
const MAX_FRAMES = 200;

/** Rendered report previews, kept a few minutes under an unguessable id for the dashboard's sandboxed iframe. */
export interface PreviewFrames {
  /** Keep `html` and return its id (32 hex characters). */
  put(html: string): string;
  /** The HTML of a live id, or undefined. */
  get(id: string): string | undefined;
}

/** An in-memory {@link PreviewFrames} (at most 200 previews, each for 5 minutes). */
export function previewFrames(clock: () => number = Date.now): PreviewFrames {
  const frames = new Map<string, { html: string; expires: number }>();
  return {
    put(html) {
      const t = clock();
      for (const [id, f] of frames) if (f.expires <= t || frames.size >= MAX_FRAMES) frames.delete(id);
      const id = randomBytes(16).toString("hex");
      frames.set(id, { html, expires: t + FRAME_TTL_MS });
      return id;
    },
    get(id) {
      const f = frames.get(id);
      return f && f.expires > clock() ? f.html : undefined;
    },
  };
}

/** Where "send now" delivers: the transport the scheduler uses, and the sender address. */
export interface SendNowOptions {
  transport: ReportTransport;
  /** @default "tallyboard <reports@localhost>" */
  from?: string;
}

/** When the period after the latest closed one closes (epoch ms), or null. */
export function nextDue(metrics: Metrics, schedule: string, now: number): number | null {
  const g = Object.hasOwn(CALENDAR, schedule) ? CALENDAR[schedule] : undefined;
  if (g) return metrics.calendar.next(g, metrics.calendar.bucket(g, now)).start;
  try {
    const next = new Cron(schedule, { timezone: metrics.calendar.timezone, paused: true }).nextRun(
      new Date(now),
    );
    return next ? next.getTime() : null;
  } catch {
    return null;
  }
}

/**
 * Routes of the metric sets page: `GET /sets/schedule` (latest closed period
 * and next due time of every set), `GET /sets/:name/preview` (the report as it
 * would be mailed now, plus the id of a sandboxed frame showing its HTML), and
 * `POST /sets/:name/send` (write scope: mail that report now through the
 * configured transport; the scheduled send of the period is not affected).
 */
export function reportRoutes(deps: {
  metrics: Metrics;
  now: () => number;
  frames: PreviewFrames;
  sendNow?: SendNowOptions | undefined;
}): Hono {
  const { metrics, now, frames, sendNow } = deps;
  const refuse: ReportTransport = {
    send: () => Promise.reject(new MetricsError("E_UNSUPPORTED", "No report transport configured")),
  };
  const reports = createReports(metrics, { transport: sendNow?.transport ?? refuse, now });
  const render = async (name: string) => {
    const t = now();
    const data = await reports.reportData(name, { now: t });
    return { data, report: buildReport(data) };
  };
  const app = new Hono();

  app.get("/sets/schedule", async (c) => {
    const t = now();
    const sets: MetricSet[] = await reports.metricSets();
    return c.json({
      now: new Date(t).toISOString(),
      timezone: metrics.calendar.timezone,
      canSend: sendNow !== undefined,
      sets: sets.map((s) => {
        const last = lastClosedPeriod(s.schedule, metrics.calendar, t);
        const due = nextDue(metrics, s.schedule, t);
        return {
          name: s.name,
          lastPeriod: last
            ? { key: last.key, label: last.label, beforeCreated: last.end <= s.createdAt }
            : null,
          nextDue: due === null ? null : new Date(due).toISOString(),
        };
      }),
    });
  });

  app.get("/sets/:name/preview", async (c) => {
    const { data, report } = await render(c.req.param("name"));
    return c.json({
      set: data.set.name,
      recipients: data.set.recipients,
      period: { key: data.period.key, label: data.period.label },
      generatedAt: new Date(data.generatedAt).toISOString(),
      ...report,
      frame: frames.put(report.html),
    });
  });

  app.post("/sets/:name/send", async (c) => {
    if (!sendNow) {
      throw new ApiError(501, "E_UNSUPPORTED", "This server has no report transport configured");
    }
    const { data, report } = await render(c.req.param("name"));
    try {
      await sendNow.transport.send({
        from: sendNow.from ?? "tallyboard <reports@localhost>",
        to: [...data.set.recipients],
        ...report,
        set: data.set.name,
      });
    } catch (cause) {
      throw new MetricsError("E_SEND_FAILED", `Sending the report of ${data.set.name} failed`, { cause });
    }
    return c.json({ sent: true, set: data.set.name, period: data.period.key, to: data.set.recipients });
  });
  return app;
}
