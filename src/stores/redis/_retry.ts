import { MetricsError, redactSecrets } from "../../errors.js";
import { isNoScript } from "./_client.js";

/**
 * True for failures after which a call may be sent again: the connection
 * failed or was closed (the command may or may not have run), or Redis asked
 * to retry (Cluster resharding or failing over, a replica still loading).
 * Replies that are the script's or the command's own answer are final.
 * Only writes that carry an identity (a producer sequence or a batch id), and
 * reads, are retried.
 */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error) || error instanceof MetricsError) return false;
  if (error.name === "ReplyError") {
    return /^(TRYAGAIN|CLUSTERDOWN|LOADING|READONLY|MASTERDOWN|MOVED|ASK|NOREPLICAS)\b/.test(error.message);
  }
  return true;
}

/** Time bounds of store calls: one sweeping timer for every pending call. */
export interface Bounds {
  /** The bound of every call, in milliseconds. */
  readonly ms: number;
  /** `work`, or a rejection with `E_STORE` once `deadline` (epoch ms) has passed. */
  bound<T>(work: Promise<T>, deadline: number, action: string): Promise<T>;
  /**
   * Run `attempt` until it resolves, retrying retryable failures with a short
   * back-off, within the deadline; rejects with the last failure or `E_STORE`.
   */
  retry<T>(attempt: () => Promise<T>, deadline: number, action: string): Promise<T>;
  /**
   * The hot-path form of {@link retry}: one promise per call. `attempt(useEval)`
   * is called again at once with `true` after a NOSCRIPT reply; `done` runs once
   * when the call settles (also on time-out, while an attempt may still be
   * queued in the client).
   */
  call<T>(attempt: (useEval: boolean) => Promise<T>, action: string, done: () => void): Promise<T>;
}

interface Pending {
  deadline: number;
  fail(): void;
}

export function createBounds(ms: number): Bounds {
  const pending = new Set<Pending>();
  const tick = Math.max(5, Math.min(250, Math.floor(ms / 10)));
  let timer: ReturnType<typeof setInterval> | undefined;
  const sweep = (): void => {
    const now = Date.now();
    for (const p of pending) {
      if (p.deadline <= now) {
        pending.delete(p);
        p.fail();
      }
    }
    if (pending.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const timeout = (action: string, cause?: unknown): MetricsError =>
    new MetricsError(
      "E_STORE",
      `Redis ${action} got no answer within ${ms} ms (commandTimeoutMs)${cause instanceof Error ? `; last error: ${redactSecrets(cause.message)}` : ""}`,
      cause === undefined ? {} : { cause },
    );
  const bound = <T>(work: Promise<T>, deadline: number, action: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const p: Pending = {
        deadline,
        fail: () => reject(timeout(action)),
      };
      pending.add(p);
      timer ??= setInterval(sweep, tick);
      work.then(
        (value) => {
          pending.delete(p);
          resolve(value);
        },
        (error: unknown) => {
          pending.delete(p);
          reject(error);
        },
      );
    });
  return {
    ms,
    bound,
    call<T>(attempt: (useEval: boolean) => Promise<T>, action: string, done: () => void): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let delay = 10;
        let last: unknown;
        const p: Pending = {
          deadline: Date.now() + ms,
          fail() {
            p.deadline = -1;
            done();
            reject(timeout(action, last));
          },
        };
        const finish = (): boolean => {
          if (p.deadline < 0) return false;
          p.deadline = -1;
          pending.delete(p);
          done();
          return true;
        };
        const go = (useEval: boolean): void => {
          attempt(useEval).then(
            (value) => {
              if (finish()) resolve(value);
            },
            (error: unknown) => {
              if (p.deadline < 0) return;
              last = error;
              if (!useEval && isNoScript(error)) go(true);
              else if (isRetryable(error) && Date.now() + delay < p.deadline) {
                setTimeout(go, delay, false);
                delay = Math.min(delay * 2, 500);
              } else if (finish()) reject(error);
            },
          );
        };
        pending.add(p);
        timer ??= setInterval(sweep, tick);
        go(false);
      });
    },
    async retry(attempt, deadline, action) {
      let delay = 10;
      let last: unknown;
      for (;;) {
        try {
          return await bound(attempt(), deadline, action);
        } catch (error) {
          if (error instanceof MetricsError && error.code === "E_STORE" && last !== undefined) {
            throw timeout(action, last);
          }
          last = error;
          if (!isRetryable(error) || Date.now() + delay >= deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, delay));
          delay = Math.min(delay * 2, 500);
        }
      }
    },
  };
}
