import jStat from 'jstat';

/** Result of a one-sided test of "after is better than before". */
export interface TestResult {
  test: 'welch' | 'mann-whitney' | 'sign';
  /** One-sided p-value of H0 "no improvement". */
  pValue: number;
  statistic: number;
  meanBefore: number;
  meanAfter: number;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function variance(xs: readonly number[], m: number): number {
  return xs.length < 2 ? 0 : xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
}

/**
 * Welch's t-test, one-sided (H1: mean(after) > mean(before); pass `higherIsBetter: false` for latency).
 * The t distribution CDF comes from jstat.
 */
export function welchTest(
  before: readonly number[],
  after: readonly number[],
  higherIsBetter = true,
): TestResult {
  const sign = higherIsBetter ? 1 : -1;
  const mb = mean(before);
  const ma = mean(after);
  const se2b = variance(before, mb) / before.length;
  const se2a = variance(after, ma) / after.length;
  const se = Math.sqrt(se2a + se2b);
  const base = { test: 'welch' as const, meanBefore: mb, meanAfter: ma };
  if (before.length < 2 || after.length < 2) return { ...base, pValue: 1, statistic: 0 };
  if (se === 0) {
    const better = sign * (ma - mb) > 0;
    return { ...base, pValue: better ? 0 : 1, statistic: better ? Infinity : 0 };
  }
  const t = (sign * (ma - mb)) / se;
  const df = (se2a + se2b) ** 2 / (se2a ** 2 / (after.length - 1) + se2b ** 2 / (before.length - 1));
  const p = 1 - jStat.studentt.cdf(t, df);
  return { ...base, pValue: Math.min(1, Math.max(0, p)), statistic: t };
}

/** Mann-Whitney U test, one-sided, normal approximation with tie correction and continuity correction. */
export function mannWhitneyTest(
  before: readonly number[],
  after: readonly number[],
  higherIsBetter = true,
): TestResult {
  const sign = higherIsBetter ? 1 : -1;
  const na = after.length;
  const nb = before.length;
  const base = { test: 'mann-whitney' as const, meanBefore: mean(before), meanAfter: mean(after) };
  if (na < 1 || nb < 1) return { ...base, pValue: 1, statistic: 0 };
  const all = [
    ...after.map((v) => ({ v: sign * v, a: true })),
    ...before.map((v) => ({ v: sign * v, a: false })),
  ].sort((x, y) => x.v - y.v);
  const n = all.length;
  let rankSumA = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    for (let k = i; k <= j; k++) if (all[k]!.a) rankSumA += rank;
    i = j + 1;
  }
  const u = rankSumA - (na * (na + 1)) / 2;
  const mu = (na * nb) / 2;
  const sd = Math.sqrt(((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (sd === 0) return { ...base, pValue: 1, statistic: 0 };
  const z = (u - mu - 0.5) / sd;
  const p = 1 - jStat.normal.cdf(z, 0, 1);
  return { ...base, pValue: Math.min(1, Math.max(0, p)), statistic: z };
}

/**
 * Exact one-sided sign test on paired outcomes (McNemar's test of two settings judged on the same
 * units, e.g. the same requests): `wins` units went better with the new setting, `losses` better with
 * the old one, the rest the same. H0 "no improvement": each discordant unit is a fair coin, so
 * p = P(X >= wins) with X ~ Binomial(wins + losses, 1/2) (jstat's binomial CDF). `meanBefore` and
 * `meanAfter` are the two settings' rates when `total` units and the old setting's `baseline` are given.
 */
export function signTest(wins: number, losses: number, total = wins + losses, baseline = losses): TestResult {
  const n = wins + losses;
  const meanBefore = total > 0 ? baseline / total : 0;
  const meanAfter = total > 0 ? (baseline + wins - losses) / total : 0;
  const base = { test: 'sign' as const, meanBefore, meanAfter, statistic: wins - losses };
  if (n === 0) return { ...base, pValue: 1 };
  const p = wins === 0 ? 1 : 1 - jStat.binomial.cdf(wins - 1, n, 0.5);
  return { ...base, pValue: Math.min(1, Math.max(0, p)) };
}
