/**
 * Run `task` now and then every `everyMs`, one run at a time (a tick that finds
 * the previous run still going is skipped), for the background jobs of
 * `tallyboard start`. `stop()` cancels the timer and waits for a running task.
 */
export function startPeriodic(task: () => Promise<void>, everyMs: number): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped || running) return;
    running = task().finally(() => {
      running = undefined;
    });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
