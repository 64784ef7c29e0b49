import { TtlAdvisor, mulberry32 } from '../src/index.js';

describe('TtlAdvisor', () => {
  it('recommends the TTL covering a quantile of reuse intervals from a key sample', () => {
    // Each key is re-read every `period` seconds, periods uniform in 1..100 s. Reuses are counted per
    // event, so a key with period p contributes ~1/p of them: 90% of reuse events have period <= p with
    // H(p) = 0.9 H(100) -> p ~ 60 s.
    const r = mulberry32(3);
    const keys = Array.from({ length: 5000 }, (_, i) => ({
      key: `k${i}`,
      period: 1 + Math.floor(r() * 100),
    }));
    const advisor = new TtlAdvisor({ samplingRate: 0.2, maxIntervals: 5000 });
    for (let t = 0; t < 400; t++) for (const k of keys) if (t % k.period === 0) advisor.record(k.key, t);
    const ttl = advisor.recommend(0.9, 1, 3600);
    expect(ttl).toBeGreaterThanOrEqual(50);
    expect(ttl).toBeLessThanOrEqual(66);
    expect(advisor.hitShare(ttl)).toBeGreaterThanOrEqual(0.9);
    expect(advisor.recommend(0.9, 1, 30)).toBe(30); // the staleness bound wins
  });

  it('returns max when nothing was observed and stays bounded', () => {
    const advisor = new TtlAdvisor({ samplingRate: 1, maxKeys: 10, maxIntervals: 5 });
    expect(advisor.recommend(0.9, 1, 60)).toBe(60);
    for (let i = 0; i < 100; i++) advisor.record(`k${i % 20}`, i);
    expect(advisor.size).toBeLessThanOrEqual(5);
  });
});
