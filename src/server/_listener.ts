import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { hostOfHeader } from "./_hosts.js";

/** Anything with a fetch handler: a Hono app made by `createApp()` or a parent app that mounts one. */
export interface FetchApp {
  fetch(request: Request, ...rest: never[]): Response | Promise<Response>;
}

/** A Node request listener; `next` (Express/Connect) is accepted and never called. */
export type NodeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next?: (error?: unknown) => void,
) => void;

type Incoming = IncomingMessage & {
  body?: unknown;
  rawBody?: Buffer;
  originalUrl?: string;
  baseUrl?: string;
};

function sendJson(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    "Content-Type": "application/json; charset=UTF-8",
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(body);
}

/**
 * A body-parser (e.g. `express.json()`) mounted before tallyboard has already
 * read the request stream: hand its result back as the raw body, JSON-encoded
 * again, so the API still sees the request (an unreadable body reads as empty).
 */
function rescueConsumedBody(req: Incoming): void {
  if (req.method === "GET" || req.method === "HEAD" || !req.readableEnded || req.rawBody) return;
  const body = req.body;
  if (Buffer.isBuffer(body)) req.rawBody = body;
  else if (typeof body === "string") req.rawBody = Buffer.from(body, "utf8");
  else if (body !== undefined && body !== null && typeof body === "object")
    req.rawBody = Buffer.from(JSON.stringify(body), "utf8");
  else req.rawBody = Buffer.alloc(0);
  // The length of the re-encoded body is not the one the client declared.
  delete req.headers["content-length"];
}

/**
 * A Node `(req, res)` listener over `app.fetch`, with an optional `Host`
 * check (421 JSON for names not allowed), Express mount handling (`/mount`
 * redirects to `/mount/` so the dashboard's relative URLs resolve) and a
 * consumed-body rescue.
 */
export function nodeListener(app: FetchApp, hostAllowed: ((host: string) => boolean) | null): NodeHandler {
  const listener = getRequestListener((request, env) =>
    (app.fetch as (r: Request, e: unknown) => Response | Promise<Response>)(request, env),
  );
  return (incoming, res) => {
    const req = incoming as Incoming;
    if (!req.url?.startsWith("/")) {
      // "*" or an absolute URL: @hono/node-server would answer an empty 400.
      sendJson(res, 400, "E_INVALID_REQUEST", "The request target must be a path starting with /");
      return;
    }
    if (hostAllowed) {
      const host = hostOfHeader(req.headers.host);
      if (host === null) {
        sendJson(res, 400, "E_INVALID_REQUEST", "Send a Host header naming this server");
        return;
      }
      if (!hostAllowed(host)) {
        sendJson(
          res,
          421,
          "E_HOST_NOT_ALLOWED",
          `This server does not answer for Host ${JSON.stringify(String(req.headers.host).slice(0, 100))}; add it to allowedHosts`,
        );
        return;
      }
    }
    if (typeof req.baseUrl === "string" && req.baseUrl !== "" && typeof req.originalUrl === "string") {
      const [path = "", search] = req.originalUrl.split(/(?=\?)/, 2);
      const page = req.url === "/" || req.url?.startsWith("/?");
      if (page && (req.method === "GET" || req.method === "HEAD") && !path.endsWith("/")) {
        // One leading slash: "//evil.example" must not become a protocol-relative redirect.
        const location = `${path.replace(/^\/+/, "/")}/${search ?? ""}`;
        res.writeHead(308, { Location: location, "Content-Length": 0 });
        res.end();
        return;
      }
    }
    rescueConsumedBody(req);
    void listener(req, res);
  };
}
