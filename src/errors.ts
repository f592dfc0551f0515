/**
 * The one error type tallyboard throws. Every failure carries a stable `code`
 * from {@link ErrorCodes}, a message that names the offending value, and the
 * underlying `cause` when there is one.
 *
 * @example
 * try { await metrics.record("bad slug") } catch (e) {
 *   if (e instanceof MetricsError && e.code === "E_INVALID_SLUG") { ... }
 * }
 */
export const ErrorCodes = {
  /** A slug, category or group does not match `^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$`. */
  E_INVALID_SLUG: "E_INVALID_SLUG",
  /** A count is not a finite safe integer. */
  E_INVALID_COUNT: "E_INVALID_COUNT",
  /** A timestamp is not a valid date. */
  E_INVALID_DATE: "E_INVALID_DATE",
  /** `from` is after `to`. */
  E_INVALID_RANGE: "E_INVALID_RANGE",
  /** An unknown granularity name, or min coarser than max. */
  E_INVALID_GRANULARITY: "E_INVALID_GRANULARITY",
  /** An unknown IANA time zone. */
  E_INVALID_TIMEZONE: "E_INVALID_TIMEZONE",
  /** Any other invalid option or argument. */
  E_INVALID_OPTION: "E_INVALID_OPTION",
  /** A history query would return more than `maxPoints` rows. */
  E_RANGE_TOO_LARGE: "E_RANGE_TOO_LARGE",
  /** Neither the asked granularity nor a finer one that nests in it was stored for the slug. */
  E_GRANULARITY_NOT_RECORDED: "E_GRANULARITY_NOT_RECORDED",
  /** The operation is not available on this store. */
  E_UNSUPPORTED: "E_UNSUPPORTED",
  /** An optional peer dependency is not installed. */
  E_MISSING_DEPENDENCY: "E_MISSING_DEPENDENCY",
  /** The store could not be reached or answered with an error. */
  E_STORE: "E_STORE",
  /** The metrics instance was disposed. */
  E_DISPOSED: "E_DISPOSED",
  /** A buffered capture is at `maxPending`. */
  E_BACKPRESSURE: "E_BACKPRESSURE",
  /** A named thing (metric definition, metric set) does not exist. */
  E_NOT_FOUND: "E_NOT_FOUND",
  /** Sending a report failed. */
  E_SEND_FAILED: "E_SEND_FAILED",
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/** Options for {@link MetricsError}. */
export interface MetricsErrorOptions {
  /** The error that led to this one. */
  cause?: unknown;
}

/** The error class for every failure tallyboard reports. */
export class MetricsError extends Error {
  override readonly name = "MetricsError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options: MetricsErrorOptions = {}) {
    super(message, "cause" in options ? { cause: options.cause } : undefined);
    this.code = code;
  }
}

/** Render a user-provided value for an error message (quoted, truncated). */
export function describeValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    text = String(value);
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  else if (value === undefined) text = "undefined";
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
