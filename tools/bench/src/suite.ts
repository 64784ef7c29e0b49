/**
 * A benchmark suite compares hp ("ours") with a named peer on the same cases, in one process.
 *
 * - A timed case runs both functions under tinybench and reports operations per second
 *   (higher is better); `opsPerCall` says how many operations one call performs, so sub-microsecond
 *   operations can be batched to keep timer overhead out of the figure.
 * - A measured case computes its own figures (bytes, hit ratio, milliseconds, ...) and says whether
 *   a higher value is better.
 */
export interface TimedCase {
  kind?: 'timed';
  name: string;
  /** Unit of the reported figure; default `ops/s`. */
  unit?: string;
  /** Operations performed by one call of `ours`/`peer.fn`; default 1. */
  opsPerCall?: number;
  ours: () => unknown;
  peer: { name: string; fn: () => unknown };
}

export interface MeasuredCase {
  kind: 'measured';
  name: string;
  unit: string;
  higherIsBetter: boolean;
  measure: () =>
    | Promise<{ ours: number; peer: string; peerValue: number }>
    | { ours: number; peer: string; peerValue: number };
}

export type BenchCase = TimedCase | MeasuredCase;

export interface Suite {
  name: string;
  /** Runs once before the cases (build fixtures, start servers). */
  before?: () => Promise<void> | void;
  /** Runs once after the cases, even when one failed. */
  after?: () => Promise<void> | void;
  cases: BenchCase[] | (() => BenchCase[]);
}

/** One line of the JSON output; `ratio` = ours / peerValue. */
export interface BenchResult {
  case: string;
  unit: string;
  ours: number;
  peer: string;
  peerValue: number;
  ratio: number;
  higherIsBetter: boolean;
}

export function defineSuite(suite: Suite): Suite {
  return suite;
}
