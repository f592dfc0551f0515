import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { describeValue, MetricsError } from "../errors.js";
import { ApiError } from "./_errors.js";
import { checkOptions } from "./_options.js";
import type { AuthOptions, Scope } from "./types.js";

/** A token ready for constant-time comparison. */
export interface PreparedToken {
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

export const SCOPES: readonly Scope[] = ["read", "write"];
/** Shortest accepted token: long enough not to be guessed, short enough for a random hex string. */
export const MIN_TOKEN_LENGTH = 16;
const TOKEN = /^[\x21-\x7e]+$/;

const digestOf = (token: string): Buffer => createHash("sha256").update(token, "utf8").digest();

/** Validate `auth` and hash its tokens; throws `E_INVALID_OPTION` for bad settings. */
export function prepareTokens(auth: AuthOptions): PreparedToken[] {
  if (auth === null || typeof auth !== "object" || !Array.isArray(auth.tokens) || auth.tokens.length === 0) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `auth needs { tokens: [{ token, scopes }, ...] } with at least one token, got ${describeValue(auth)}; omit auth to leave the API open`,
    );
  }
  checkOptions("auth", auth, ["tokens"]);
  const seen = new Set<string>();
  return auth.tokens.map((entry, i) => {
    checkOptions(`auth.tokens[${i}]`, entry, ["token", "scopes"]);
    if (entry === undefined) throw new MetricsError("E_INVALID_OPTION", `auth.tokens[${i}] is undefined`);
    const token: unknown = entry.token;
    if (typeof token !== "string" || !TOKEN.test(token) || token.length < MIN_TOKEN_LENGTH) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `auth.tokens[${i}].token must be a string of at least ${MIN_TOKEN_LENGTH} visible ASCII characters without spaces`,
      );
    }
    const scopes: unknown = entry.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => SCOPES.includes(s))) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `auth.tokens[${i}].scopes must be a non-empty array of "read" and "write", got ${describeValue(scopes)}`,
      );
    }
    if (seen.has(token)) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `auth.tokens[${i}] repeats an earlier token; list each once`,
      );
    }
    seen.add(token);
    return { digest: digestOf(token), scopes: new Set(scopes as Scope[]) };
  });
}

/** The scopes of the presented token, or null when it matches none (compares every token in constant time). */
function scopesOf(tokens: readonly PreparedToken[], presented: string): ReadonlySet<Scope> | null {
  const digest = digestOf(presented);
  let found: ReadonlySet<Scope> | null = null;
  for (const t of tokens) {
    if (timingSafeEqual(t.digest, digest) && found === null) found = t.scopes;
  }
  return found;
}

/** Middleware: 401 without a valid bearer token, 403 when the token lacks `scope`. */
export function requireScope(tokens: readonly PreparedToken[], scope: Scope): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("Authorization") ?? "";
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!match) {
      c.header("WWW-Authenticate", 'Bearer realm="tallyboard"');
      throw new ApiError(401, "E_UNAUTHORIZED", "Send a token: Authorization: Bearer <token>");
    }
    const scopes = scopesOf(tokens, match[1] as string);
    if (scopes === null) {
      c.header("WWW-Authenticate", 'Bearer realm="tallyboard", error="invalid_token"');
      throw new ApiError(401, "E_UNAUTHORIZED", "Unknown token");
    }
    if (!scopes.has(scope)) {
      c.header("WWW-Authenticate", `Bearer realm="tallyboard", error="insufficient_scope", scope="${scope}"`);
      throw new ApiError(403, "E_FORBIDDEN", `This token lacks the "${scope}" scope`);
    }
    await next();
  };
}
