import { describe, expect, it } from "vitest";
import { memoryStore } from "../../src/stores/memory/index.js";
import type { Store } from "../../src/stores/types.js";
import { setup } from "./_setup.js";

describe("security headers", () => {
  it("sends a strict CSP and the usual headers on the page, assets, API answers and errors", async () => {
    const t = setup();
    for (const path of [
      "/",
      "/assets/dashboard.js",
      "/api/v1/slugs",
      "/api/v1/metrics/bad%20slug",
      "/missing",
    ]) {
      const { res } = await t.get(path);
      const csp = res.headers.get("Content-Security-Policy") ?? "";
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain("unsafe");
      expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
      expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
      expect(res.headers.get("X-Frame-Options")).toBe("DENY");
    }
  });

  it("never lets API answers be cached", async () => {
    const t = setup();
    for (const path of ["/api/v1/slugs", "/api/v1/metrics/a", "/api/v1/metrics/bad%20slug"]) {
      expect((await t.get(path)).res.headers.get("Cache-Control")).toBe("no-store");
    }
  });
});

describe("escaping", () => {
  const name = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

  it("returns free-text definition names verbatim as JSON, never as HTML", async () => {
    const t = setup();
    await t.metrics.createMetric({ slug: "xss", name, unit: "<b>u</b>" });
    for (const path of ["/api/v1/definitions", "/api/v1/metrics/xss", "/api/v1/slugs/xss"]) {
      const res = await t.get(path);
      expect(res.res.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(JSON.stringify(res.body)).toContain(JSON.stringify(name).slice(1, -1));
    }
    const page = await t.get("/");
    expect(page.body).not.toContain("alert");
  });

  it("answers a slug or path holding markup with a JSON error", async () => {
    const t = setup();
    for (const path of [
      "/api/v1/metrics/%3Cscript%3E",
      "/api/v1/%3Cscript%3E",
      "/%3Cscript%3Ealert(1)%3C/script%3E",
    ]) {
      const res = await t.get(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.res.headers.get("Content-Type")).toMatch(/^application\/json/);
      expect(res.body.error.message).toContain("<script>");
    }
  });

  it("builds the dashboard DOM with textContent only", async () => {
    const js = (await setup().get("/assets/dashboard.js")).body as string;
    expect(js).toContain("textContent");
    for (const sink of [
      "innerHTML",
      "outerHTML",
      "insertAdjacentHTML",
      "document.write",
      "eval(",
      "new Function",
    ]) {
      expect(js).not.toContain(sink);
    }
  });
});

describe("errors", () => {
  it("maps an unexpected failure to 500 without a stack or internal detail, and logs it", async () => {
    const logged: unknown[] = [];
    const store: Store = {
      ...memoryStore(),
      slugs: async () => {
        throw new Error("connection to /var/secret/socket failed");
      },
    };
    const t = setup(
      { logger: { warn: () => {}, error: (...args: unknown[]) => logged.push(args) } },
      { store },
    );
    const res = await t.get("/api/v1/slugs");
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "E_INTERNAL", message: "Internal server error" } });
    expect(logged).toHaveLength(1);
  });

  it("answers 503 once the metrics instance is disposed", async () => {
    const t = setup();
    await t.metrics.dispose();
    const res = await t.get("/api/v1/healthz");
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe("E_DISPOSED");
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});
