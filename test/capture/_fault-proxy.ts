/**
 * A TCP proxy between a client and a redis-server that injects faults:
 *
 * - `"lose-reply"`: the next reply from the server is swallowed and both
 *   sides are cut, so the command ran but the client never hears of it;
 * - `"half-request"`: only the first half of the next client chunk is sent,
 *   then both sides are cut (the server discards the partial command);
 * - `"accept-close"`: the next connection is accepted and closed at once
 *   (a load balancer whose backend is down);
 * - `refuse(ms)`: the listener is closed for `ms` (connections are refused)
 *   and every open connection is cut.
 *
 * `fired` counts faults that actually happened (an armed fault waits for
 * traffic). Shared with the Redis store's direct-mode tests.
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export type ArmedFault = "lose-reply" | "half-request" | "accept-close";

export interface FaultProxy {
  port: number;
  url: string;
  /** Faults that fired so far. */
  readonly fired: number;
  /** Reply chunks passed to clients so far (progress between faults). */
  readonly replies: number;
  /** Arm one fault; it fires on the next matching traffic. */
  arm(fault: ArmedFault): void;
  /** Whether an armed fault has not fired yet. */
  readonly armed: boolean;
  /** Refuse connections for `ms` and cut the open ones (counts as one fault). */
  refuse(ms: number): Promise<void>;
  /** Cut every open connection (counts as one fault). */
  cutAll(): void;
  close(): Promise<void>;
}

export async function faultProxy(target: { host?: string; port: number }): Promise<FaultProxy> {
  const host = target.host ?? "127.0.0.1";
  const open = new Set<() => void>();
  let pending: ArmedFault | undefined;
  let fired = 0;
  let replies = 0;

  const onConnection = (client: Socket): void => {
    if (pending === "accept-close") {
      pending = undefined;
      fired++;
      client.destroy();
      return;
    }
    const upstream = connect(target.port, host);
    let dead = false;
    const cut = (): void => {
      dead = true;
      open.delete(cut);
      client.destroy();
      upstream.destroy();
    };
    open.add(cut);
    client.on("error", cut).on("close", cut);
    upstream.on("error", cut).on("close", cut);
    client.on("data", (chunk: Buffer) => {
      if (dead) return;
      if (pending === "half-request" && chunk.length >= 2) {
        pending = undefined;
        fired++;
        dead = true; // nothing after the half request reaches the server
        upstream.write(chunk.subarray(0, chunk.length >> 1), () => setTimeout(cut, 5));
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (dead) return;
      if (pending === "lose-reply") {
        pending = undefined;
        fired++;
        cut();
        return;
      }
      replies++;
      client.write(chunk);
    });
  };

  let server: Server = createServer(onConnection);
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
  const port = await listen(0);
  const cutAll = (): void => {
    for (const cut of [...open]) cut();
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get fired() {
      return fired;
    },
    get replies() {
      return replies;
    },
    get armed() {
      return pending !== undefined;
    },
    arm(fault) {
      pending = fault;
    },
    async refuse(ms) {
      fired++;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        cutAll();
      });
      await sleep(ms);
      server = createServer(onConnection);
      for (let attempt = 0; ; attempt++) {
        try {
          await listen(port);
          return;
        } catch (error) {
          if (attempt > 50) throw error;
          await sleep(20);
        }
      }
    },
    cutAll() {
      fired++;
      cutAll();
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        cutAll();
      });
    },
  };
}
