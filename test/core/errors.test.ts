import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeValue, redactSecrets, redactUrl } from "../../src/errors.js";

const password = fc
  .string({ minLength: 6, maxLength: 30 })
  .filter((p) => !/\s|["'<>]/.test(p) && /[A-Za-z0-9]{6}/.test(p));

describe("redactUrl", () => {
  it("never prints a password, whatever it holds (/, @, :, %)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("postgres", "redis", "rediss", "smtp", "smtps", "https"),
        password,
        (scheme, pw) => {
          const url = `${scheme}://user:${pw}@host.example:1234/db?x=1`;
          const out = redactUrl(url);
          expect(out).toBe(`${scheme}://user:***@host.example:1234/db?x=1`);
          expect(redactSecrets(`Invalid store URL "${url}" (bad)`)).not.toContain(pw);
        },
      ),
    );
  });

  it("masks a lone userinfo (a token as user name) and secret query values", () => {
    expect(redactUrl("https://ghp_abcdefgh@github.com/x")).toBe("https://***@github.com/x");
    expect(redactUrl("http://h/?token=abc&x=1&password=p")).toBe("http://h/?token=***&x=1&password=***");
    expect(redactUrl("redis://127.0.0.1:6379/0")).toBe("redis://127.0.0.1:6379/0");
    expect(redactUrl("pglite:./.tallyboard")).toBe("pglite:./.tallyboard");
  });
});

describe("describeValue", () => {
  it("never throws and stays short", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const hostile = {
      toJSON() {
        throw new Error("no");
      },
    };
    for (const v of [
      10n,
      cyclic,
      Object.create(null),
      Symbol("s"),
      hostile,
      { a: 1n },
      () => 1,
      [1, 2],
      null,
    ]) {
      const text = describeValue(v);
      expect(typeof text).toBe("string");
      expect(text.length).toBeLessThanOrEqual(80);
    }
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withNullPrototype: true, withMap: true }), (v) => {
        expect(describeValue(v).length).toBeLessThanOrEqual(80);
      }),
    );
  });
});
