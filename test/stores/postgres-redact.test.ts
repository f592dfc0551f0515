/**
 * No message of the Postgres store shows a password from its URL, whatever
 * the password holds (`/ @ : % # ?` included, raw or percent-encoded): not
 * the option errors thrown by postgresStore(), not the E_STORE errors of a
 * failed connection.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import { createCalendar } from "../../src/time/index.js";

const calendar = createCalendar({ timezone: "UTC" });
const CHARS = "abcXYZ0189/@:%#?&=!$*+ .~_-'\"".split("");
/** "Pw" + a tail: capital P w appears nowhere else in the URLs built below. */
const password = fc
  .array(fc.constantFrom(...CHARS), { minLength: 4, maxLength: 24 })
  .map((tail) => `Pw${tail.join("")}`);
const scheme = fc.constantFrom("postgres", "postgresql", "mysql", "redis");
const encode = fc.boolean();

/** Every message in an error and its causes. */
function messages(error: unknown): string {
  const out: string[] = [];
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) out.push(e.message);
  return out.join("\n");
}

describe("passwords never appear in messages", () => {
  it("postgresStore() option errors (fast-check)", () => {
    fc.assert(
      fc.property(scheme, password, encode, (s, pw, encoded) => {
        const url = `${s}://app:${encoded ? encodeURIComponent(pw) : pw}@db.example:5432/metrics`;
        try {
          postgresStore({ url }).dispose();
        } catch (error) {
          expect(error).toBeInstanceOf(MetricsError);
          const text = messages(error);
          expect(text).not.toContain(pw);
          if (encoded) expect(text).not.toContain(encodeURIComponent(pw));
          expect(text).toContain("app:***@");
        }
      }),
      { numRuns: 300 },
    );
  });

  it("E_STORE errors of a connection that fails (fast-check)", { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(password, encode, async (pw, encoded) => {
        // Port 1 refuses at once: the driver fails while connecting.
        const url = `postgres://app:${encoded ? encodeURIComponent(pw) : pw}@127.0.0.1:1/metrics`;
        let store: ReturnType<typeof postgresStore>;
        try {
          store = postgresStore({ url, connectTimeoutMs: 2_000 });
        } catch {
          return; // refused up front: covered above
        }
        const error = await store.attach({ calendar }).catch((e: unknown) => e);
        await store.dispose();
        expect(error).toBeInstanceOf(MetricsError);
        expect(messages(error)).not.toContain(pw);
        expect(String((error as Error).stack)).not.toContain(pw);
      }),
      { numRuns: 40 },
    );
  });
});
