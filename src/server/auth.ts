import { describeValue, MetricsError } from "../errors.js";
import { prepareTokens, SCOPES } from "./_auth.js";
import type { Scope, TokenConfig } from "./types.js";

/**
 * Parse a token list in the `TALLYBOARD_TOKENS` format: `token:scope,scope;token:scope`,
 * e.g. `"tok1:read,write;tok2:read"`. A token without `:scopes` gets `read`.
 *
 * @example
 * createApp(metrics, { auth: { tokens: parseTokens(process.env.TALLYBOARD_TOKENS ?? "") } });
 */
export function parseTokens(spec: string): TokenConfig[] {
  const tokens = String(spec)
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part): TokenConfig => {
      const colon = part.lastIndexOf(":");
      const token = colon === -1 ? part : part.slice(0, colon);
      const names = colon === -1 ? ["read"] : part.slice(colon + 1).split(",");
      const scopes = names.map((s) => s.trim());
      if (!scopes.every((s): s is Scope => (SCOPES as readonly string[]).includes(s))) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `Invalid scopes ${describeValue(part.slice(colon + 1))} in the token list; use read and/or write (e.g. "tok1:read,write;tok2:read")`,
        );
      }
      return { token, scopes };
    });
  prepareTokens({ tokens });
  return tokens;
}
