import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createReports, directoryTransport, smtpTransport } from "../../src/reports/index.js";
import { NOW, setup } from "./_fixtures.js";
import { parseHeaders } from "./_mail.js";

describe("directoryTransport", () => {
  it("writes one parseable .eml per report, atomically, creating the directory", async () => {
    const root = await mkdtemp(join(tmpdir(), "tallyboard-eml-"));
    try {
      const dir = join(root, "out", "box");
      const reports = createReports(await setup(), {
        transport: directoryTransport(dir),
        now: () => NOW - 86_400_000, // the day reported is the only one due
      });
      await reports.createMetricSet({
        name: "Daily <overview>",
        metrics: ["signups"],
        recipients: ["ops@example.org"],
      });
      expect((await reports.sendReports({ now: NOW })).sent).toHaveLength(1);
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{8}T\d{6}Z-daily-overview-[0-9a-f]{6}\.eml$/);
      const raw = await readFile(join(dir, files[0] as string), "utf8");
      const headers = parseHeaders(raw);
      expect(headers.subject).toBe("tallyboard report: Daily <overview> — 2024-05-01");
      expect(headers.to).toBe("ops@example.org");
      expect(headers.from).toBe("tallyboard <reports@localhost>");
      expect(headers["content-type"]).toMatch(/^multipart\/alternative; boundary=/);
      expect(raw).toMatch(/Content-Type: text\/plain/);
      expect(raw).toMatch(/Content-Type: text\/html/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("rejects bad transport arguments at once", () => {
    expect(() => directoryTransport("")).toThrowError(expect.objectContaining({ code: "E_INVALID_OPTION" }));
    expect(() => smtpTransport("http://mail.example.org")).toThrowError(
      expect.objectContaining({
        code: "E_INVALID_OPTION",
        message: expect.stringContaining("http://mail.example.org"),
      }),
    );
  });

  it("says to install nodemailer when it cannot be imported", async () => {
    // A copy of src/ outside this package's node_modules, run in a child process.
    const dir = mkdtempSync(join(tmpdir(), "tb-nomail-"));
    try {
      cpSync(fileURLToPath(new URL("../../src", import.meta.url)), join(dir, "src"), { recursive: true });
      writeFileSync(join(dir, "package.json"), '{"type":"module"}');
      writeFileSync(
        join(dir, "probe.ts"),
        `import { directoryTransport, smtpTransport } from "./src/reports/transports.ts";
const message = { from: "a@x.org", to: ["b@x.org"], subject: "s", text: "t", html: "h" };
for (const t of [smtpTransport("smtp://127.0.0.1:1"), directoryTransport("./out")]) {
  await t.send(message).then(() => console.log("sent"), (e) => console.log(e.code, e.message));
}`,
      );
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", tsx, "probe.ts"], {
        cwd: dir,
      });
      const lines = stdout.trim().split("\n");
      expect(lines).toHaveLength(2);
      for (const line of lines) expect(line).toMatch(/^E_MISSING_DEPENDENCY .*npm i nodemailer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
