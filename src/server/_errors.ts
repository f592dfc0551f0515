import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrorCode, MetricsError } from "../errors.js";
import type { Logger } from "../stores/types.js";
import type { HttpErrorCode } from "./types.js";

/** An error with an HTTP status, thrown by route handlers and middleware. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: ContentfulStatusCode;
  readonly code: HttpErrorCode | ErrorCode;

  constructor(status: ContentfulStatusCode, code: HttpErrorCode | ErrorCode, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** HTTP status of each library error code; anything not listed is a bad request (400). */
const STATUS_OF: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  E_NOT_FOUND: 404,
  E_UNSUPPORTED: 501,
  E_COUNT_OVERFLOW: 422,
  E_TOO_MANY_SLUGS: 422,
  E_STORE: 503,
  E_STORE_LOCKED: 503,
  E_DISPOSED: 503,
  E_BACKPRESSURE: 503,
  E_MISSING_DEPENDENCY: 500,
  E_SEND_FAILED: 502,
};

/** The HTTP status a {@link MetricsError} code maps to. */
export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS_OF[code] ?? 400;
}

/** A JSON error response `{ error: { code, message } }`. */
export function errorResponse(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
): Response {
  c.header("Cache-Control", "no-store");
  return c.json({ error: { code, message } }, status);
}

/**
 * The app's `onError`: known errors keep their code and message, anything
 * else becomes a 500 with a fixed message (and goes to the logger). A stack
 * trace never reaches the client.
 */
export function createErrorHandler(logger: Logger | undefined) {
  return (error: unknown, c: Context): Response => {
    if (error instanceof ApiError) return errorResponse(c, error.status, error.code, error.message);
    if (error instanceof MetricsError) {
      const status = statusOf(error.code);
      if (status >= 500) {
        logger?.error(`tallyboard: ${c.req.method} ${c.req.path} failed: ${error.message}`, error);
        if (error.code === "E_BACKPRESSURE") c.header("Retry-After", "1");
        // Store errors may carry host names or driver details: keep them in the log.
        const message =
          error.code === "E_STORE" ? "The metrics store is unavailable; try again later" : error.message;
        return errorResponse(c, status, error.code, message);
      }
      return errorResponse(c, status, error.code, error.message);
    }
    if (error instanceof HTTPException) {
      const code =
        error.status === 401
          ? "E_UNAUTHORIZED"
          : error.status === 413
            ? "E_PAYLOAD_TOO_LARGE"
            : "E_INVALID_REQUEST";
      const message = error.status >= 500 ? "Internal server error" : error.message || "Bad request";
      return errorResponse(c, error.status, error.status >= 500 ? "E_INTERNAL" : code, message);
    }
    logger?.error(`tallyboard: ${c.req.method} ${c.req.path} failed`, error);
    return errorResponse(c, 500, "E_INTERNAL", "Internal server error");
  };
}
