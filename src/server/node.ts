import { hostMatcher } from "./_hosts.js";
import { type FetchApp, type NodeHandler, nodeListener } from "./_listener.js";
import { checkOptions } from "./_options.js";

/** Options of {@link toNodeHandler}. */
export interface NodeHandlerOptions {
  /**
   * `Host` header names answered (others get 421), as in `serve()`. Your own
   * server decides where it listens, so nothing is checked unless you say so.
   * @default undefined (any Host)
   */
  allowedHosts?: readonly string[];
}

/**
 * A Node `(req, res)` request handler for a {@link createApp} app, to mount it
 * in Express, Connect, Fastify's `middie` or a plain `node:http` server. Built
 * on `@hono/node-server`'s `getRequestListener`, plus:
 *
 * - mounted with `expressApp.use("/metrics", handler)`, a request for
 *   `/metrics` is redirected (308) to `/metrics/`, so the dashboard's relative
 *   asset and API URLs resolve under the mount point;
 * - when a body parser such as `express.json()` ran first and consumed the
 *   request stream, its parsed `req.body` is re-encoded as the JSON body
 *   (mounting tallyboard before the body parser avoids the round trip).
 *
 * @example
 * const app = express();
 * app.use("/metrics", toNodeHandler(createApp(metrics)));
 * app.use(express.json());
 */
export function toNodeHandler(app: FetchApp, options: NodeHandlerOptions = {}): NodeHandler {
  const { allowedHosts } = checkOptions<NodeHandlerOptions>("toNodeHandler()", options, ["allowedHosts"]);
  return nodeListener(app, allowedHosts === undefined ? null : hostMatcher(allowedHosts));
}

export type { NodeHandler };
