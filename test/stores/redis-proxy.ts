/**
 * The TCP fault proxy of the Redis and capture fault tests: forwards
 * 127.0.0.1:<port> to a private redis-server and injects faults.
 *
 * Armed faults (one at a time; each fires on the next matching traffic):
 * - `"swallow"`: the next reply from Redis is dropped and both sockets are
 *   cut, so the command ran but the client never hears of it;
 * - `"cut"`: the next client chunk is forwarded only half-way, then both
 *   sockets are cut (Redis discards the incomplete command; complete ones
 *   before it ran);
 * - `"accept-close"`: the next connection is accepted and closed at once.
 *
 * Also `refuse(ms)`: the listener closes for `ms` (reconnects are refused)
 * and every open connection is cut; `setDown(true)`: every connection is
 * accepted and closed at once until `setDown(false)` (a load balancer whose
 * Redis is gone); `cutAll()`: cut every open connection.
 *
 * `counts` and `fired` count faults that happened (an armed fault waits for
 * traffic); `replies` counts reply chunks passed on (progress between faults).
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export type ArmedFault = "swallow" | "cut" | "accept-close";
export type Fault = ArmedFault | "refuse";

export interface FaultProxy {
  port: number;
  url: string;
  /** Arm one fault; it fires on the next matching traffic (replaces one not fired yet). */
  arm(fault: ArmedFault): void;
  /** Whether an armed fault has not fired yet. */
  readonly armed: boolean;
  /** Arm a fault and resolve once it has happened; `"refuse"` refuses for the proxy's `refuseMs`. */
  inject(fault: Fault): Promise<void>;
  /** Refuse connections for `ms` and cut the open ones (one fault). */
  refuse(ms: number): Promise<void>;
  /** Cut every open connection (one fault). */
  cutAll(): void;
  /** While down, every connection is accepted and closed at once; going down cuts open ones. */
  setDown(down: boolean): void;
  /** Faults that happened, by kind. */
  readonly counts: Readonly<Record<Fault | "cut-all", number>>;
  /** Faults that happened, all kinds. */
  readonly fired: number;
  /** Reply chunks passed to clients so far. */
  readonly replies: number;
  close(): Promise<void>;
}

export async function startFaultProxy(upstreamPort: number, refuseMs = 150): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const counts = { swallow: 0, cut: 0, "accept-close": 0, refuse: 0, "cut-all": 0 };
  let armed: { fault: ArmedFault; done: () => void } | undefined;
  let closed = false;
  let down = false;
  let replies = 0;

  const cutAll = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const fire = (): void => {
    const a = armed;
    armed = undefined;
    if (a) {
      counts[a.fault] += 1;
      a.done();
    }
  };

  const onConnection = (client: Socket): void => {
    client.on("error", () => {});
    if (down) {
      client.destroy();
      return;
    }
    if (armed?.fault === "accept-close") {
      fire();
      client.destroy();
      return;
    }
    const upstream = connect(upstreamPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    let dead = false;
    const drop = (): void => {
      dead = true;
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => {
      if (dead) return;
      if (armed?.fault === "cut" && chunk.length > 1) {
        dead = true; // nothing after the half request reaches Redis
        upstream.write(chunk.subarray(0, chunk.length >> 1), () => {
          fire();
          setTimeout(drop, 5);
        });
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (dead) return;
      if (armed?.fault === "swallow") {
        fire();
        drop();
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
        server.off("error", reject);
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : port);
      });
    });
  const port = await listen(0);

  const refuse = async (ms: number): Promise<void> => {
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    cutAll();
    await stopped;
    counts.refuse += 1;
    await sleep(ms);
    if (closed) return;
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
  };

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    counts,
    get fired() {
      return counts.swallow + counts.cut + counts["accept-close"] + counts.refuse + counts["cut-all"];
    },
    get replies() {
      return replies;
    },
    get armed() {
      return armed !== undefined;
    },
    arm(fault) {
      armed?.done();
      armed = { fault, done: () => {} };
    },
    inject(fault) {
      if (fault === "refuse") return refuse(refuseMs);
      armed?.done();
      return new Promise<void>((done) => {
        armed = { fault, done };
      });
    },
    refuse,
    cutAll() {
      counts["cut-all"] += 1;
      cutAll();
    },
    setDown(value) {
      down = value;
      if (down) cutAll();
    },
    async close() {
      closed = true;
      armed?.done();
      armed = undefined;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      cutAll();
      await stopped;
    },
  };
}

/** A listener that accepts every connection and closes it at once. */
export async function acceptAndClose(): Promise<{ port: number; url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.destroy();
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
