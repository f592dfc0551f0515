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
   * The hot-path form of {@link retry}: one promise per call and no closure
   * (the call's state is `ctx`, its behaviour `spec`). The call resolves with
   * `spec.reply(reply, ctx)` and rejects with `spec.failure(error)`.
   */
  call<C>(spec: CallSpec<C>, ctx: C, action: string): Promise<unknown>;
}

/** What one {@link Bounds.call} does; usually a module-level constant. */
export interface CallSpec<C> {
  /** One attempt; called again at once with `useEval` true after a NOSCRIPT reply. */
  attempt(ctx: C, useEval: boolean): Promise<unknown>;
  /** Runs once when the call settles (also on time-out, while an attempt may still be queued in the client). */
  done(ctx: C): void;
  /** What the call resolves with (a value or a promise); a throw rejects it through `failure`. */
  reply(value: unknown, ctx: C): unknown;
  /** What the call rejects with. */
  failure(error: unknown): unknown;
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
  const hooks: CallHooks = { pending, timeout };
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
    call<C>(spec: CallSpec<C>, ctx: C, action: string): Promise<unknown> {
      return new Promise<unknown>((resolve, reject) => {
        const call = new Call(spec, ctx, action, resolve, reject, Date.now() + ms, hooks);
        pending.add(call);
        timer ??= setInterval(sweep, tick);
        call.go(false);
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

interface CallHooks {
  pending: Set<Pending>;
  timeout(action: string, cause?: unknown): MetricsError;
}

/** One bounded, retried call of {@link Bounds.call}. */
class Call<C> implements Pending {
  private delay = 10;
  private last: unknown;
  constructor(
    private readonly spec: CallSpec<C>,
    private readonly ctx: C,
    private readonly action: string,
    private readonly resolve: (value: unknown) => void,
    private readonly reject: (error: unknown) => void,
    public deadline: number,
    private readonly hooks: CallHooks,
  ) {}

  go(useEval: boolean): void {
    this.spec.attempt(this.ctx, useEval).then(
      (value) => {
        if (!this.finish()) return;
        let out: unknown;
        try {
          out = this.spec.reply(value, this.ctx);
        } catch (error) {
          this.reject(this.spec.failure(error));
          return;
        }
        this.resolve(out);
      },
      (error: unknown) => this.failed(error, useEval),
    );
  }

  fail(): void {
    this.deadline = -1;
    this.spec.done(this.ctx);
    this.reject(this.spec.failure(this.hooks.timeout(this.action, this.last)));
  }

  private failed(error: unknown, useEval: boolean): void {
    if (this.deadline < 0) return;
    this.last = error;
    if (!useEval && isNoScript(error)) this.go(true);
    else if (isRetryable(error) && Date.now() + this.delay < this.deadline) {
      setTimeout(() => this.go(false), this.delay);
      this.delay = Math.min(this.delay * 2, 500);
    } else if (this.finish()) this.reject(this.spec.failure(error));
  }

  private finish(): boolean {
    if (this.deadline < 0) return false;
    this.deadline = -1;
    this.hooks.pending.delete(this);
    this.spec.done(this.ctx);
    return true;
  }
}
