import cliProgress from "cli-progress";
import type { Output } from "./_context.js";

/** Progress of a long task, drawn on stderr. */
export interface Progress {
  /** Report `done` of `total` units. */
  update(done: number, total: number): void;
  /** Finish the bar (or print the 100 % line when everything was done). Idempotent. */
  stop(): void;
}

/**
 * A progress reporter on `output` (stderr): a cli-progress bar on a terminal,
 * otherwise one plain line per 10 % step, so piped or logged output never
 * contains cursor movements.
 */
export function createProgress(output: Output, label: string): Progress {
  if (output.isTTY && output.stream) return barProgress(output.stream, label);
  let lastStep = -1;
  let last = { done: 0, total: 0 };
  let stopped = false;
  return {
    update(done, total) {
      last = { done, total };
      const step = total > 0 ? Math.floor((done / total) * 10) : 10;
      if (step <= lastStep || step >= 10) return;
      lastStep = step;
      output.write(`${label}: ${step * 10}% (${done}/${total})\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (last.total > 0 && last.done >= last.total)
        output.write(`${label}: 100% (${last.done}/${last.total})\n`);
    },
  };
}

function barProgress(stream: NodeJS.WritableStream, label: string): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {duration_formatted}`,
      hideCursor: true,
      barsize: 30,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let stopped = false;
  return {
    update(done, total) {
      if (stopped) return;
      if (!started) {
        bar.start(total, done);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (started) bar.stop();
    },
  };
}
