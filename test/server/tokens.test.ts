import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import { parseTokens } from "../../src/server/index.js";

const A = "3f9c2a7be1d04c6a";
const B = "77b1e0c2d9a84f53";

function failure(spec: unknown): MetricsError {
  try {
    parseTokens(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
    return error as MetricsError;
  }
  throw new Error(`parseTokens(${String(spec)}) did not throw`);
}

/** A token of the format: 16-40 visible ASCII characters without `:;,` or spaces. */
const tokenArb = fc
  .array(fc.constantFrom(..."abcdefXYZ0123456789-_.~!#$%&*+/=?@^|".split("")), {
    minLength: 16,
    maxLength: 40,
  })
  .map((c) => c.join(""));
const scopesArb = fc.uniqueArray(fc.constantFrom("read" as const, "write" as const), { minLength: 1 });

describe("parseTokens", () => {
  it("parses the TALLYBOARD_TOKENS format, with spaces and a trailing ;", () => {
    expect(parseTokens(` ${A}:read,write ; ${B}: read ;`)).toEqual([
      { token: A, scopes: ["read", "write"] },
      { token: B, scopes: ["read"] },
    ]);
  });

  it("refuses anything that is not a non-empty string, so an unset variable never becomes a token", () => {
    for (const spec of [undefined, null, 0, 1, {}, [], true, Symbol("x"), 10n, () => A]) {
      expect(failure(spec).message).toMatch(/expected a string/);
    }
    for (const spec of ["", " ", ";", " ; "]) expect(failure(spec).message).toMatch(/empty/);
  });

  it("refuses malformed entries with a message saying what is wrong", () => {
    expect(failure(`${A}:read;write`).message).toMatch(/scope "write" on its own/);
    expect(failure(`${A}:read;;${B}:read`).message).toMatch(/entry 2 is empty/);
    expect(failure(A).message).toMatch(/not token:scopes/);
    expect(failure(`${A}:`).message).toMatch(/scope ""/);
    expect(failure(`${A}:read,`).message).toMatch(/scope ""/);
    expect(failure(`${A}:read,admin`).message).toMatch(/scope "admin"/);
    expect(failure(`${A}:READ`).message).toMatch(/scope "READ"/);
    expect(failure(`a:${A}:read`).message).toMatch(/not token:scopes/);
    expect(failure(`${A} x:read`).message).toMatch(/not token:scopes/);
    expect(failure("short-token:read").message).toMatch(/11 characters; use at least 16/);
    expect(failure(`${A}:read;${A}:write`).message).toMatch(/repeats/);
  });

  it("round-trips every well-formed list (property)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(tokenArb, scopesArb), { minLength: 1, maxLength: 5, selector: ([t]) => t }),
        (list) => {
          const spec = list.map(([t, s]) => `${t}:${s.join(",")}`).join(";");
          expect(parseTokens(spec)).toEqual(list.map(([token, scopes]) => ({ token, scopes })));
        },
      ),
    );
  });

  it("never returns a token that is not a substring of the spec, nor a short one (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: fc.constantFrom(..."ab:;, read write".split("")) }),
          fc.anything(),
        ),
        (spec) => {
          let tokens: ReturnType<typeof parseTokens>;
          try {
            tokens = parseTokens(spec);
          } catch (error) {
            expect(error).toBeInstanceOf(MetricsError);
            return;
          }
          expect(typeof spec).toBe("string");
          for (const { token, scopes } of tokens) {
            expect((spec as string).includes(token)).toBe(true);
            expect(token.length).toBeGreaterThanOrEqual(16);
            expect(token).not.toMatch(/[\s:;,]/);
            expect(scopes.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
