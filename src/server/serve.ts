import type { AddressInfo } from "node:net";
import { serve as nodeServe } from "@hono/node-server";
import type { Hono } from "hono";

/** Options of {@link serve}. */
export interface ServeOptions {
  /** TCP port; 0 picks a free one. @default 8787 */
  port?: number;
  /** Interface to bind; use "0.0.0.0" to accept remote connections. @default "127.0.0.1" */
  hostname?: string;
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

/**
 * Serve a {@link createApp} app over HTTP on Node. Resolves once the port is
 * bound; rejects when it cannot be (e.g. `EADDRINUSE`).
 *
 * @example
 * const server = await serve(createApp(metrics), { port: 0 });
 * console.log(`dashboard at ${server.url}/`);
 * await server.close();
 */
export function serve(app: Hono, options: ServeOptions = {}): Promise<ServerHandle> {
  const hostname = options.hostname ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    const server = nodeServe(
      { fetch: app.fetch, port: options.port ?? 8787, hostname },
      (info: AddressInfo) => {
        server.off("error", reject);
        let closing: Promise<void> | undefined;
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          port: info.port,
          hostname,
          url: `http://${host}:${info.port}`,
          close() {
            closing ??= new Promise<void>((done, fail) => {
              server.close((error) => (error ? fail(error) : done()));
              if ("closeIdleConnections" in server) server.closeIdleConnections();
            });
            return closing;
          },
        });
      },
    );
    server.once("error", reject);
  });
}
