/**
 * A TCP fault proxy for Redis tests: forwards 127.0.0.1:<port> to a private
 * redis-server and, when armed, injects one fault on the next traffic:
 * - "swallow": the next reply from Redis is dropped and both sockets are cut,
 *   so the command ran but the client never hears of it;
 * - "cut": the next request is forwarded only half-way, then both sockets are
 *   cut (Redis discards an incomplete command; complete ones before it ran);
 * - "refuse": the listener closes for `refuseMs`, so reconnects are refused.
 * Also `acceptAndClose()`: a listener that accepts connections and closes
 * them at once (a load balancer whose Redis is down).
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export type Fault = "swallow" | "cut" | "refuse";

export interface FaultProxy {
  port: number;
  url: string;
  /** Arm a fault; resolves once it has happened. */
  inject(fault: Fault): Promise<void>;
  /**
   * While down, every connection is accepted and closed at once, as by a load
   * balancer whose Redis is gone (open connections are cut when going down).
   */
  setDown(down: boolean): void;
  /** Faults that happened, by kind. */
  readonly counts: Record<Fault, number>;
  close(): Promise<void>;
}

export async function startFaultProxy(upstreamPort: number, refuseMs = 150): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  const counts: Record<Fault, number> = { swallow: 0, cut: 0, refuse: 0 };
  let armed: { fault: Fault; done: () => void } | undefined;
  let closed = false;
  let down = false;

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
    if (down) {
      client.on("error", () => {});
      client.destroy();
      return;
    }
    const upstream = connect(upstreamPort, "127.0.0.1");
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.on("data", (chunk: Buffer) => {
      if (armed?.fault === "cut" && chunk.length > 1) {
        upstream.write(chunk.subarray(0, Math.floor(chunk.length / 2)), () => {
          fire();
          drop();
        });
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (armed?.fault === "swallow") {
        fire();
        drop();
        return;
      }
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

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    counts,
    setDown(value) {
      down = value;
      if (down) cutAll();
    },
    inject(fault) {
      if (fault !== "refuse") {
        return new Promise<void>((done) => {
          armed = { fault, done };
        });
      }
      return (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        cutAll();
        await stopped;
        counts.refuse += 1;
        await new Promise((resolve) => setTimeout(resolve, refuseMs));
        if (closed) return;
        server = createServer(onConnection);
        for (let attempt = 0; ; attempt++) {
          try {
            await listen(port);
            return;
          } catch (error) {
            if (attempt > 50) throw error;
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }
      })();
    },
    async close() {
      closed = true;
      armed?.done();
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
