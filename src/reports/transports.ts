import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describeValue, MetricsError, redactSecrets } from "../errors.js";
import { parseSmtpUrl } from "./_smtp-url.js";
import type { ReportMessage, ReportTransport } from "./types.js";

type Nodemailer = typeof import("nodemailer");
type Transporter = ReturnType<Nodemailer["createTransport"]>;

/** Import nodemailer (an optional peer) on first use, or fail with `E_MISSING_DEPENDENCY`. */
async function loadNodemailer(): Promise<Nodemailer> {
  const specifier = "nodemailer";
  try {
    const mod = (await import(specifier)) as Nodemailer & { default?: Nodemailer };
    return typeof mod.createTransport === "function" ? mod : (mod.default as Nodemailer);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new MetricsError(
        "E_MISSING_DEPENDENCY",
        `Sending reports needs the optional package "nodemailer": run npm i nodemailer`,
        { cause: error },
      );
    }
    throw error;
  }
}

const sendFailed = (error: unknown, where: string): MetricsError =>
  error instanceof MetricsError
    ? error
    : new MetricsError(
        "E_SEND_FAILED",
        `Sending a report ${where} failed: ${redactSecrets((error as Error)?.message ?? String(error))}`,
        {
          cause: error,
        },
      );

/**
 * Send reports through SMTP with nodemailer (install it: `npm i nodemailer`).
 * Takes an `smtp://user:pass@host:port` / `smtps://…` URL or nodemailer
 * transport options. nodemailer is imported on the first send. The URL is
 * read here (a password may hold `/`, `@`, `:` or `%`), and its password
 * never appears in an error or log line.
 *
 * @example
 * smtpTransport("smtp://mailer:secret@smtp.example.org:587")
 */
export function smtpTransport(urlOrOptions: string | object): ReportTransport {
  let options: object;
  if (typeof urlOrOptions === "string") {
    options = parseSmtpUrl(urlOrOptions);
  } else if (urlOrOptions === null || typeof urlOrOptions !== "object") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `smtpTransport() needs a URL or options, got ${describeValue(urlOrOptions)}`,
    );
  } else {
    options = urlOrOptions;
  }
  let transporter: Promise<Transporter> | undefined;
  const open = () => {
    transporter ??= loadNodemailer().then((nm) => nm.createTransport(options as never) as Transporter);
    return transporter;
  };
  return {
    async send(message) {
      try {
        const t = await open();
        await t.sendMail(toMail(message));
      } catch (error) {
        throw sendFailed(error, "over SMTP");
      }
    },
    async close() {
      const t = transporter;
      transporter = undefined;
      if (t) (await t.catch(() => undefined))?.close();
    },
  };
}

/**
 * Write each report as an `.eml` file (RFC 5322, readable by any mail client)
 * into `dir`, created when missing. Files appear atomically (written under a
 * temporary name, then renamed) as `<timestamp>-<set>-<random>.eml`. Needs
 * nodemailer to compose the message.
 *
 * @example
 * directoryTransport("./outbox")
 */
export function directoryTransport(dir: string): ReportTransport {
  if (typeof dir !== "string" || dir.trim() === "") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `directoryTransport() needs a directory path, got ${describeValue(dir)}`,
    );
  }
  let composer: Promise<Transporter> | undefined;
  return {
    async send(message) {
      composer ??= loadNodemailer().then(
        (nm) => nm.createTransport({ streamTransport: true, buffer: true }) as Transporter,
      );
      const info = (await (await composer).sendMail(toMail(message))) as { message: Buffer };
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "Z");
      const name = `${stamp}-${fileSlug(message.set ?? message.subject)}-${randomBytes(3).toString("hex")}.eml`;
      const temp = join(dir, `.${name}.tmp`);
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(temp, info.message);
        await rename(temp, join(dir, name));
      } catch (error) {
        await rm(temp, { force: true }).catch(() => undefined);
        throw sendFailed(error, `to ${describeValue(dir)}`);
      }
    },
  };
}

function toMail(message: ReportMessage) {
  return {
    from: message.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
  };
}

/** File-name-safe slug of a set name, e.g. "Daily overview" -> "daily-overview". */
function fileSlug(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug === "" ? "report" : slug;
}
