import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { describeValue, MetricsError } from "../errors.js";
import type { Logger } from "../stores/types.js";
import { hostMatcher, isLoopbackAddress, LOOPBACK_HOSTS } from "./_hosts.js";
import { type FetchApp, nodeListener } from "./_listener.js";
import { booleanOption, checkOptions, positiveOption } from "./_options.js";
import { appInfo } from "./_registry.js";

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port; 0 picks a free one. @default 8787 */
  port?: number;
  /**
   * Interface to bind. Loopback unless given; `""` is refused (it would mean
   * "every interface"). A non-loopback address (e.g. `"0.0.0.0"`) needs `auth`
   * tokens on the app, or `allowOpen: true`. @default "127.0.0.1"
   */
  hostname?: string;
  /**
   * Serve an app without tokens on a non-loopback address. A warning goes to
   * the logger on every start. @default false
   */
  allowOpen?: boolean;
  /**
   * `Host` header names answered (others get 421): exact names, `".example.org"`
   * for a domain and its subdomains, IP addresses, or `"*"` for any. Guards
   * against DNS rebinding. @default [".localhost", "127.0.0.1", "::1"] on loopback, ["*"] otherwise
   */
  allowedHosts?: readonly string[];
  /** Time to receive a request's headers, in ms (slowloris guard). @default 10000 */
  headersTimeout?: number;
  /** Time to receive a whole request, in ms; must be ≥ `headersTimeout`. @default 30000 */
  requestTimeout?: number;
  /** How long an idle keep-alive connection stays open, in ms. @default 5000 */
  keepAliveTimeout?: number;
  /** Most simultaneous connections; further ones are dropped. @default 1024 */
  maxConnections?: number;
  /** Where the `allowOpen` warning goes. @default the app's `logger` */
  logger?: Logger;
}

/** A running server. */
export interface ServerHandle {
  /** The bound port (the real one when `port` was 0). */
  port: number;
  hostname: string;
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** Stop accepting connections and close idle ones. Idempotent. */
  close(): Promise<void>;
}

const KEYS = [
  "port",
  "hostname",
  "allowOpen",
  "allowedHosts",
  "headersTimeout",
  "requestTimeout",
  "keepAliveTimeout",
  "maxConnections",
  "logger",
];

function config(app: FetchApp, input: unknown) {
  const options = checkOptions<ServeOptions>("serve()", input, KEYS);
  if (app === null || typeof app !== "object" || typeof app.fetch !== "function") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `serve() needs an app from createApp(), got ${describeValue(app)}`,
    );
  }
  const hostname: unknown = options.hostname === undefined ? "127.0.0.1" : options.hostname;
  if (typeof hostname !== "string" || hostname.trim() === "" || /\s/.test(hostname)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `hostname must be an address such as "127.0.0.1" or "0.0.0.0", got ${describeValue(hostname)}; omit it to bind loopback`,
    );
  }
  const port = positiveOption("port", options.port, 8787, 0);
  if (port > 65535) throw new MetricsError("E_INVALID_OPTION", `port must be 0-65535, got ${port}`);
  const allowOpen = booleanOption("allowOpen", options.allowOpen, false);
  const loopback = isLoopbackAddress(hostname);
  const headersTimeout = positiveOption("headersTimeout", options.headersTimeout, 10_000);
  const requestTimeout = positiveOption("requestTimeout", options.requestTimeout, 30_000);
  if (requestTimeout < headersTimeout) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `requestTimeout (${requestTimeout} ms) must be at least headersTimeout (${headersTimeout} ms)`,
    );
  }
  const info = appInfo(app);
  const logger = options.logger ?? info?.logger;
  if (!loopback && !info?.hasTokens && !allowOpen) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `Refusing to serve an API without tokens on ${describeValue(hostname)}, which is reachable from other machines: configure auth tokens (TALLYBOARD_TOKENS), bind 127.0.0.1, or pass allowOpen: true (--allow-open)`,
    );
  }
  return {
    hostname,
    port,
    loopback,
    open: !info?.hasTokens,
    logger,
    headersTimeout,
    requestTimeout,
    keepAliveTimeout: positiveOption("keepAliveTimeout", options.keepAliveTimeout, 5_000),
    maxConnections: positiveOption("maxConnections", options.maxConnections, 1024),
    hostAllowed: hostMatcher(options.allowedHosts ?? (loopback ? LOOPBACK_HOSTS : ["*"])),
  };
}

/** Requests Node's parser refuses (bad request line, header overflow, timeouts) also get a JSON error. */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === "ECONNRESET") {
    socket.destroy();
    return;
  }
  const [status, text, code, message] =
    error.code === "ERR_HTTP_REQUEST_TIMEOUT"
      ? [408, "Request Timeout", "E_REQUEST_TIMEOUT", "The request was not received in time"]
      : error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large", "E_PAYLOAD_TOO_LARGE", "The request headers are too large"]
        : [400, "Bad Request", "E_INVALID_REQUEST", "Malformed HTTP request"];
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Serve a {@link createApp} app over HTTP on Node. Binds loopback unless
 * `hostname` says otherwise, refuses a non-loopback address for an app
 * without tokens (unless `allowOpen`), answers only allowed `Host` names, and
 * sets header/request/keep-alive timeouts and a connection cap. Resolves once
 * the port is bound; rejects with `E_INVALID_OPTION` for bad options and with
 * the system error (e.g. `EADDRINUSE`) when the port cannot be bound.
 *
 * @example
 * const server = await serve(createApp(metrics), { port: 0 });
 * console.log(`dashboard at ${server.url}/`);
 * await server.close();
 */
export function serve(app: FetchApp, options: ServeOptions = {}): Promise<ServerHandle> {
  let c: ReturnType<typeof config>;
  try {
    c = config(app, options);
  } catch (error) {
    return Promise.reject(error);
  }
  const server = createServer(
    {
      headersTimeout: c.headersTimeout,
      requestTimeout: c.requestTimeout,
      // Check the two timeouts every second (Node's default is every 30 s).
      connectionsCheckingInterval: Math.min(1000, c.headersTimeout),
      // A missing Host gets tallyboard's JSON 400 (Node's own answer has no body).
      requireHostHeader: false,
    },
    nodeListener(app, c.hostAllowed),
  );
  server.on("clientError", answerClientError);
  server.keepAliveTimeout = c.keepAliveTimeout;
  server.maxConnections = c.maxConnections;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(c.port, c.hostname, () => {
      server.off("error", reject);
      const info = server.address() as AddressInfo;
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      if (!c.loopback && c.open) {
        c.logger?.warn(
          `tallyboard: the API is open (no tokens) on ${host}:${info.port}; anyone who can reach it can read and write metrics`,
        );
      }
      let closing: Promise<void> | undefined;
      resolve({
        port: info.port,
        hostname: c.hostname,
        url: `http://${host}:${info.port}`,
        close() {
          closing ??= new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeIdleConnections();
          });
          return closing;
        },
      });
    });
  });
}
