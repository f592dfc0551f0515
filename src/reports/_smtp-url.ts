import { describeValue, MetricsError, redactUrl } from "../errors.js";

/** The nodemailer SMTP options an `smtp://` / `smtps://` URL stands for. */
export interface SmtpUrlOptions {
  host: string;
  port?: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  [option: string]: unknown;
}

const SCHEME = /^(smtps?):\/\//i;

/**
 * Read `smtp://user:pass@host:port/?option=value` into nodemailer options
 * ourselves, so nodemailer never parses (and Node never warns about, quoting
 * it) a URL that holds a password. The password may contain `/`, `@`, `:` or
 * `%` raw or percent-encoded: userinfo runs to the last `@` before the host.
 * Query options become options (`true`/`false`/numbers converted), as in
 * nodemailer. Throws `E_INVALID_OPTION` with the URL redacted.
 */
export function parseSmtpUrl(url: string): SmtpUrlOptions {
  const scheme = SCHEME.exec(url);
  const bad = (why: string) =>
    new MetricsError(
      "E_INVALID_OPTION",
      `smtpTransport() needs an smtp:// or smtps:// URL (${why}), got ${describeValue(redactUrl(url))}`,
    );
  if (!scheme) throw bad("unknown scheme");
  let rest = url.slice(scheme[0].length);
  let query = "";
  const at = rest.lastIndexOf("@");
  const q = rest.indexOf("?", at + 1);
  if (q !== -1) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const userinfo = at === -1 ? undefined : rest.slice(0, at);
  const hostPath = at === -1 ? rest : rest.slice(at + 1);
  const hostPort = hostPath.split("/", 1)[0] ?? "";
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/i.exec(hostPort);
  if (!m) throw bad("no host");
  const options: SmtpUrlOptions = {
    host: (m[1] as string).replace(/^\[|\]$/g, ""),
    secure: (scheme[1] as string).toLowerCase() === "smtps",
  };
  if (m[2] !== undefined) {
    const port = Number(m[2]);
    if (port < 1 || port > 65_535) throw bad("port out of range");
    options.port = port;
  }
  if (userinfo !== undefined && userinfo !== "") {
    const colon = userinfo.indexOf(":");
    const user = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
    const pass = colon === -1 ? "" : decode(userinfo.slice(colon + 1));
    options.auth = { user, pass };
  }
  for (const [key, value] of new URLSearchParams(query)) {
    if (key === "host" || key === "port" || key === "auth") continue;
    options[key] =
      value === "true" ? true : value === "false" ? false : /^\d+$/.test(value) ? Number(value) : value;
  }
  return options;
}

/** Percent-decode a URL part; a `%` that starts no valid escape stays as it is. */
function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part.replace(/%([0-9a-f]{2})/gi, (raw, hex: string) => {
      try {
        return decodeURIComponent(`%${hex}`);
      } catch {
        return raw;
      }
    });
  }
}
