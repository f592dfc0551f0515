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
  /** A bucket or total would pass `Number.MAX_SAFE_INTEGER` (or the store's own limit); nothing was written. */
  E_COUNT_OVERFLOW: "E_COUNT_OVERFLOW",
  /** Recording would create more distinct slugs than the configured cap (`maxSlugs`). */
  E_TOO_MANY_SLUGS: "E_TOO_MANY_SLUGS",
  /** The store (e.g. a PGlite directory) is held by another process. */
  E_STORE_LOCKED: "E_STORE_LOCKED",
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

/**
 * Render a user-provided value for an error message (quoted, truncated).
 * Never throws: BigInts, cycles, null-prototype objects and hostile
 * `toString`/`toJSON` methods all come out as a short description.
 */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = describeUnsafe(value);
  } catch {
    text = `[${typeof value}]`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeUnsafe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
    case "boolean":
      return String(value);
    case "bigint":
      return `${value}n`;
    case "undefined":
      return "undefined";
    case "symbol":
      return value.toString();
    case "function":
      return `[function ${value.name || "anonymous"}]`;
  }
  if (value === null) return "null";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (Array.isArray(value)) return `[array(${value.length})]`;
  try {
    const json = JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v));
    if (json !== undefined) return json;
  } catch {
    // cycles or throwing toJSON: fall through to a shape description
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return "[object with null prototype]";
  return Object.prototype.toString.call(value);
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;

/**
 * A URL with its password (and any `password`/`token`/`key` query values)
 * replaced by `***`, for logs, errors and stdout. The userinfo is cut at the
 * last `@`, so passwords holding `/`, `@`, `:` or `%` are masked whole. A userinfo without `:` (a token used as the
 * user name) is masked whole.
 *
 * @example
 * redactUrl("postgres://app:S3cr/t@db:5432/m") // "postgres://app:***@db:5432/m"
 */
export function redactUrl(url: string): string {
  const at = url.lastIndexOf("@");
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url)?.[0] ?? "";
  if (scheme !== "" && at > scheme.length) {
    // Cut at the LAST "@": a password may itself hold "@", "/" or ":".
    const userinfo = url.slice(scheme.length, at);
    const colon = userinfo.indexOf(":");
    // A lone userinfo may be a token (https://TOKEN@host): mask it whole.
    const masked = colon === -1 ? "***" : `${userinfo.slice(0, colon)}:***`;
    return redactQuery(`${scheme}${masked}@${url.slice(at + 1)}`);
  }
  return redactQuery(url);
}

const SECRET_PARAM = /([?&](?:password|pass|pwd|token|secret|key|auth|access_token)=)[^&#\s]*/gi;

function redactQuery(url: string): string {
  return url.replace(SECRET_PARAM, "$1***");
}

/** {@link redactUrl} applied to every URL found in a free text (an error message, a log line). */
export function redactSecrets(text: string): string {
  return text.replace(URL_IN_TEXT, (found) => redactUrl(found));
}
