/**
 * Test helpers: a real SMTP server (smtp-server on a free port) that keeps
 * what it receives, and a minimal RFC 5322 header reader.
 */
import { SMTPServer } from "smtp-server";

export interface Received {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
}

export interface TestSmtp {
  port: number;
  messages: Received[];
  /** When set, RCPT TO is refused with this message (a transient failure). */
  reject: string | null;
  close(): Promise<void>;
}

/**
 * Start an SMTP server on 127.0.0.1, port 0, no TLS; without `auth`, no AUTH
 * either; with it, AUTH PLAIN/LOGIN is required and only that user and
 * password are accepted.
 */
export async function startSmtp(auth?: { user: string; pass: string }): Promise<TestSmtp> {
  const state: TestSmtp = { port: 0, messages: [], reject: null, close: async () => {} };
  const server = new SMTPServer({
    authOptional: auth === undefined,
    disabledCommands: auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    allowInsecureAuth: true,
    authMethods: ["PLAIN", "LOGIN"],
    onAuth(credentials, _session, callback) {
      if (auth && credentials.username === auth.user && credentials.password === auth.pass) {
        callback(null, { user: auth.user });
        return;
      }
      callback(new Error("Invalid username or password"));
    },
    logger: false,
    onRcptTo(_address, _session, callback) {
      if (state.reject) {
        const error = new Error(state.reject) as Error & { responseCode: number };
        error.responseCode = 451;
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        state.messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          headers: parseHeaders(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.server.address();
  state.port = typeof address === "object" && address ? address.port : 0;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** Header fields of a message (lower-case names), unfolded, RFC 2047 words decoded. */
export function parseHeaders(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? "";
  const out: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, " ").split(/\r?\n/)) {
    const colon = line.indexOf(":");
    if (colon > 0) out[line.slice(0, colon).trim().toLowerCase()] = decodeWords(line.slice(colon + 1).trim());
  }
  return out;
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === "b"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text
              .replace(/_/g, " ")
              .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) =>
                String.fromCharCode(Number.parseInt(hex, 16)),
              ),
            "latin1",
          ).toString("utf8"),
    );
}
