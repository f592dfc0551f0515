import { describeValue, MetricsError } from "../errors.js";
import { MIN_TOKEN_LENGTH, prepareTokens, SCOPES } from "./_auth.js";
import type { Scope, TokenConfig } from "./types.js";

const EXAMPLE = 'e.g. "3f9c2a7be1d04c6a:read,write;77b1e0c2d9a84f53:read"';
/** One entry: a token (visible ASCII without `:;,`), a colon, then scope names. */
const ENTRY = /^([\x21-\x2b\x2d-\x39\x3c-\x7e]+):([^:]*)$/;

function invalid(message: string): MetricsError {
  return new MetricsError("E_INVALID_OPTION", `Invalid token list: ${message} (${EXAMPLE})`);
}

/**
 * Parse a token list in the `TALLYBOARD_TOKENS` format:
 * `token:scope,scope;token:scope` (e.g. `"3f9c2a7be1d04c6a:read,write;77b1e0c2d9a84f53:read"`).
 * Every entry names its scopes (`read` and/or `write`); tokens have at least
 * 16 visible ASCII characters and no `:`, `;` or `,`; spaces around entries
 * and a trailing `;` are ignored. Anything else — `undefined`, `""`, a
 * missing scope list, an unknown scope, a short or repeated token — throws
 * `E_INVALID_OPTION`, so an unset variable never becomes a guessable token.
 *
 * @example
 * const tokens = parseTokens(process.env.TALLYBOARD_TOKENS);
 * createApp(metrics, { auth: { tokens } });
 */
export function parseTokens(spec: unknown): TokenConfig[] {
  if (typeof spec !== "string") throw invalid(`expected a string, got ${describeValue(spec)}`);
  const entries = spec.trim().replace(/;$/, "").split(";");
  if (spec.trim() === "" || spec.trim() === ";") {
    throw invalid("it is empty; leave the variable unset to run without tokens");
  }
  const tokens = entries.map((raw, i): TokenConfig => {
    const entry = raw.trim();
    const match = ENTRY.exec(entry);
    if (!match) {
      const scopeOnly = (SCOPES as readonly string[]).includes(entry);
      throw invalid(
        entry === ""
          ? `entry ${i + 1} is empty`
          : scopeOnly
            ? `entry ${i + 1} is the scope "${entry}" on its own; list scopes with "," (token:read,write), separate tokens with ";"`
            : `entry ${i + 1} is not token:scopes`,
      );
    }
    const token = match[1] as string;
    if (token.length < MIN_TOKEN_LENGTH) {
      throw invalid(
        `the token of entry ${i + 1} has ${token.length} characters; use at least ${MIN_TOKEN_LENGTH}`,
      );
    }
    const names = (match[2] as string).split(",").map((s) => s.trim());
    for (const name of names) {
      if (!(SCOPES as readonly string[]).includes(name)) {
        throw invalid(`entry ${i + 1} has the scope ${describeValue(name)}; scopes are read and write`);
      }
    }
    return { token, scopes: [...new Set(names as Scope[])] };
  });
  prepareTokens({ tokens });
  return tokens;
}
