import { type BenchResult } from './suite.js';

/** Builds a result line; the ratio is ours / peer whatever the direction, as the JSON format fixes. */
export function makeResult(
  name: string,
  unit: string,
  ours: number,
  peer: string,
  peerValue: number,
  higherIsBetter: boolean,
): BenchResult {
  const ratio = peerValue === 0 ? (ours === 0 ? 1 : Number.POSITIVE_INFINITY) : ours / peerValue;
  return { case: name, unit, ours, peer, peerValue, ratio, higherIsBetter };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e6) return value.toExponential(3);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

/** A plain-text table: one row per case, with an arrow saying which direction is better. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['case', 'unit', 'ours', 'peer', 'peer value', 'ratio'];
  const rows = results.map((r) => [
    r.case,
    `${r.unit} (${r.higherIsBetter ? 'higher' : 'lower'} is better)`,
    formatNumber(r.ours),
    r.peer,
    formatNumber(r.peerValue),
    `${r.ratio.toFixed(3)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
