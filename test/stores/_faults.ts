import { createConnection, createServer, type Server, type Socket } from "node:net";
import type pg from "pg";
import { expect } from "vitest";

/** Poll until `fn` returns true (generous: the machine may be loaded). */
export async function until(fn: () => Promise<boolean>, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Hold `lockSql` (e.g. `LOCK TABLE … IN ACCESS EXCLUSIVE MODE`) in an open
 * transaction of `blocker`, start `call`, wait until a backend of
 * `applicationName` waits on a lock (so it is inside its statement), kill it
 * with pg_terminate_backend, release the lock, and return how `call` settled.
 */
export async function killMidStatement(
  admin: pg.Client,
  blocker: pg.Client,
  applicationName: string,
  lockSql: string,
  call: () => Promise<unknown>,
): Promise<unknown> {
  await blocker.query("BEGIN");
  await blocker.query(lockSql);
  const settled = call().then(
    () => "resolved",
    (error: unknown) => error,
  );
  try {
    await until(async () => {
      const { rows } = await admin.query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
        [applicationName],
      );
      return rows.length > 0;
    }, `a backend of ${applicationName} waiting on a lock`);
    const { rows } = await admin.query(
      "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1",
      [applicationName],
    );
    expect(rows.length).toBeGreaterThan(0);
  } finally {
    await blocker.query("ROLLBACK");
  }
  return settled;
}

/**
 * A TCP proxy to `target` that can stop passing the server's replies on
 * (`swallow = true`), like a network that eats answers; `stop()` closes it.
 */
export async function replyEatingProxy(targetPort: number) {
  const sockets = new Set<Socket>();
  const state = { swallow: false };
  const server: Server = createServer((client) => {
    const upstream = createConnection(targetPort);
    sockets.add(client).add(upstream);
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => {
      if (!state.swallow) client.write(d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    state,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A listener that accepts connections and then never answers (`mode: "silent"`) or closes them at once. */
export async function deadListener(mode: "silent" | "close") {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    if (mode === "close") socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
