import { formatTable, makeResult, median } from '../src/report.js';

describe('makeResult', () => {
  it('reports ratio as ours / peer whatever the direction', () => {
    expect(makeResult('get', 'ops/s', 300, 'lru-cache', 100, true)).toEqual({
      case: 'get',
      unit: 'ops/s',
      ours: 300,
      peer: 'lru-cache',
      peerValue: 100,
      ratio: 3,
      higherIsBetter: true,
    });
    expect(makeResult('size', 'bytes', 50, 'json+gzip', 200, false).ratio).toBe(0.25);
  });

  it('does not divide by zero', () => {
    expect(makeResult('x', 'ms', 0, 'p', 0, false).ratio).toBe(1);
    expect(makeResult('x', 'ms', 2, 'p', 0, false).ratio).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('median', () => {
  it('takes the middle of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('formatTable', () => {
  it('prints one aligned row per result with its direction', () => {
    const table = formatTable([makeResult('encode', 'ops/s', 1240, 'msgpackr', 1000, true)]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^case\s+unit\s+ours\s+peer\s+peer value\s+ratio$/);
    expect(lines[2]).toContain('encode');
    expect(lines[2]).toContain('higher is better');
    expect(lines[2]).toContain('1.240x');
  });
});
