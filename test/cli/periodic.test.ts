import { describe, expect, it } from "vitest";
import { startPeriodic } from "../../src/cli/_periodic.js";

describe("startPeriodic (background jobs of tallyboard start)", () => {
  it("runs at once, never overlaps itself, and stop() waits for the running task", async () => {
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => {};
    const job = startPeriodic(async () => {
      runs++;
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      active--;
    }, 5);
    expect(runs).toBe(1); // started synchronously
    await new Promise((resolve) => setTimeout(resolve, 40)); // several ticks while the first run hangs
    expect(runs).toBe(1);
    let stopped = false;
    const stopping = job.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false); // still waiting for the running task
    release();
    await stopping;
    expect(stopped).toBe(true);
    expect(maxActive).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(runs).toBe(1); // no run after stop()
  });
});
