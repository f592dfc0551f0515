/**
 * A bench section: each file in bench/ (redis.ts, postgres.ts, http.ts)
 * exports `run(context)` returning one of these; bench/run.ts prints them as
 * tables and writes them all to bench/results/<timestamp>.json.
 */
export interface BenchContext {
  /** URL of a private redis-server started by bench/run.ts on a free port. */
  redisUrl: string;
  /** Postgres server URL (127.0.0.1:5432, database test) or undefined when not reachable. */
  postgresUrl: string | undefined;
  /** Scale factor: 1 = full run; smaller for a quick smoke run (`BENCH_QUICK=1`). */
  scale: number;
  /** Progress lines go here (stderr). */
  log(message: string): void;
}

export interface BenchRow {
  /** What was measured, e.g. "(a) sequential record(), hours..years". */
  name: string;
  /** Subject: "tallyboard", "redis-metrics", "raw INCR", ... */
  subject: string;
  value: number;
  unit: string;
  /** Optional ratio against a named reference row, e.g. { to: "raw EVALSHA", value: 0.97 }. */
  ratio?: { to: string; value: number };
}

export interface BenchSection {
  name: string;
  rows: BenchRow[];
  /** Targets from the issues, with pass/fail as measured. */
  targets?: { name: string; met: boolean; detail: string }[];
}
