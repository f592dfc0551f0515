import type { QueueDepthOptions } from "../capture/index.js";
import type { ReportTransport } from "../reports/index.js";
import type { Logger } from "../stores/types.js";

/** What a token may do: `read` for every GET route, `write` for `POST /events` and `PUT /gauges/:slug`. */
export type Scope = "read" | "write";

/** One accepted bearer token. */
export interface TokenConfig {
  /** The secret, sent as `Authorization: Bearer <token>`: visible ASCII, no spaces. */
  token: string;
  /** What the token may do. */
  scopes: readonly Scope[];
}

/** Bearer-token authentication of the `/api/v1` routes. */
export interface AuthOptions {
  /** Accepted tokens; must not be empty (omit `auth` to leave the API open). */
  tokens: readonly TokenConfig[];
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /** Bearer tokens with `read`/`write` scopes; the API is open when omitted. @default undefined */
  auth?: AuthOptions;
  /** Path prefix of every route, e.g. `"/metrics"` (dashboard at `/metrics/`, API at `/metrics/api/v1`). @default "" */
  basePath?: string;
  /** Largest request body in bytes; larger bodies get 413. @default 2097152 (2 MiB) */
  maxBodyBytes?: number;
  /** Most events in one `POST /events` batch; more get 413. @default 10000 */
  maxEvents?: number;
  /** Serve the dashboard page and its assets. @default true */
  dashboard?: boolean;
  /** Clock for default history ranges ("the last 30 days"). @default () => Date.now() */
  now?: () => number;
  /** Where the dashboard's "Send now" mails a metric set's report (hidden when omitted). @default undefined */
  reports?: { transport: ReportTransport; from?: string };
  /**
   * A BullMQ queue of queue capture that workers elsewhere consume: `/healthz`
   * and the dashboard show its jobs by state (waiting, active, delayed, failed).
   * A metrics instance in queue mode shows its own queue without this. @default undefined
   */
  queue?: QueueDepthOptions;
  /** Where unexpected errors go (the client only sees "Internal server error"). @default undefined (silent) */
  logger?: Logger;
}

/**
 * Error codes the HTTP layer adds to the library's {@link ErrorCode}s. Every
 * error response is `{ error: { code, message } }` with one of either.
 */
export type HttpErrorCode =
  | "E_INVALID_REQUEST"
  | "E_UNSUPPORTED_MEDIA_TYPE"
  | "E_PAYLOAD_TOO_LARGE"
  | "E_UNAUTHORIZED"
  | "E_FORBIDDEN"
  | "E_NOT_FOUND"
  | "E_METHOD_NOT_ALLOWED"
  | "E_HOST_NOT_ALLOWED"
  | "E_REQUEST_TIMEOUT"
  | "E_INTERNAL";
