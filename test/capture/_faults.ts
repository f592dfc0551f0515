import { setTimeout as sleep } from "node:timers/promises";
import type { ArmedFault, FaultProxy } from "../stores/redis-proxy.js";
import { rng } from "./_tally.js";

const ARMED: ArmedFault[] = ["swallow", "cut", "accept-close"];

/**
 * Inject faults through `proxy` until `target` have fired (each kind at least
 * once): an armed fault (lost reply, half-sent request, accepted-and-closed
 * connection) or a short refusal window. Returns the number fired.
 */
export async function injectFaults(proxy: FaultProxy, target: number, seed: number): Promise<number> {
  const random = rng(seed);
  const kinds = new Set<string>();
  while (proxy.fired < target || kinds.size < ARMED.length + 1) {
    if (random() < 0.1) {
      await proxy.refuse(20 + Math.floor(random() * 60));
      kinds.add("refuse");
    } else {
      const fault = ARMED[Math.floor(random() * ARMED.length)] as ArmedFault;
      const before = proxy.fired;
      proxy.arm(fault);
      if (fault === "accept-close") proxy.cutAll(); // the client must reconnect to meet it
      for (let i = 0; i < 100 && proxy.armed; i++) await sleep(5);
      if (proxy.fired > before) kinds.add(fault);
    }
    // Let the client recover (reconnect, get replies) before the next fault.
    const replies = proxy.replies;
    for (let i = 0; i < 1000 && proxy.replies < replies + 3; i++) await sleep(5);
    await sleep(Math.floor(random() * 30));
  }
  return proxy.fired;
}

/** Call `flush` until it resolves (each failure is a fault the capture must survive). */
export async function flushUntilDrained(flush: () => Promise<void>, attempts = 100): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await flush();
      return;
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(50);
    }
  }
}
