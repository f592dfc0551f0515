import { describe, expect, it } from "vitest";
import { setup } from "./_setup.js";

const DAY = 86_400_000;

describe("time input over HTTP is read the library's one way", () => {
  it('refuses {"at":"1"} (and other digit strings) instead of storing it in 2001, writing nothing', async () => {
    const t = setup();
    for (const at of ["1", "2024", "", "yesterday", "2024-02-30"]) {
      const res = await t.send("/api/v1/events", [{ slug: "ok" }, { slug: "a", at }]);
      expect(res.status, at).toBe(400);
      expect(res.body.error.code, at).toBe("E_INVALID_DATE");
    }
    expect(await t.metrics.slugs()).toEqual([]);
  });

  it("reads an event's at as epoch ms (number) or ISO 8601 local to the instance's zone", async () => {
    const t = setup({}, { timezone: "America/New_York" });
    const ok = await t.send("/api/v1/events", [
      { slug: "ny", at: "2024-01-01" }, // local midnight = 05:00Z
      { slug: "ny", at: Date.UTC(2024, 0, 1, 4, 59) }, // still Dec 31 in New York
    ]);
    expect(ok.status).toBe(202);
    const rows = await t.metrics.history("ny", { from: "2023-12-31", to: "2024-01-01", granularity: "days" });
    expect(rows.map((r) => [r.start.toISOString(), r.count])).toEqual([
      ["2023-12-31T05:00:00.000Z", 1],
      ["2024-01-01T05:00:00.000Z", 1],
    ]);
  });

  it("reads query from/to as ISO local to the zone, digits as epoch milliseconds", async () => {
    const t = setup({}, { timezone: "America/New_York" });
    const iso = await t.get("/api/v1/metrics/x?granularity=days&from=2024-01-01&to=2024-01-31");
    expect(iso.status).toBe(200);
    expect(iso.body.rows[0].start).toBe("2024-01-01T05:00:00.000Z");
    expect(iso.body.rows).toHaveLength(31);
    const from = Date.UTC(2024, 0, 10, 12);
    const ms = await t.get(`/api/v1/metrics/x?granularity=days&from=${from}&to=${from + 2 * DAY}`);
    expect(ms.status).toBe(200);
    expect(ms.body.from).toBe(new Date(from).toISOString());
    expect(ms.body.rows).toHaveLength(3);
    for (const bad of ["from=1e3", "from=2024-13-01", "to=99999999999999999999", "from=+1"]) {
      const res = await t.get(`/api/v1/metrics/x?granularity=days&${bad}`);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code, bad).toBe("E_INVALID_DATE");
    }
  });
});
