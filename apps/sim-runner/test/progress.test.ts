import { ProgressReporter, type ProgressInfo } from '../src/progress.js';

const info = (step: number): ProgressInfo => ({
  step,
  totalSteps: 20,
  agents: 5,
  requestsPerSecond: 100,
  llmCallsPerSecond: 2.5,
  hitRatio: 0.75,
  elapsedSeconds: step,
  etaSeconds: 20 - step,
});

describe('ProgressReporter', () => {
  it('writes a line at every 10% when not on a terminal', () => {
    let text = '';
    const p = new ProgressReporter({ stream: { write: (c: string) => (text += c) } });
    for (let s = 1; s <= 20; s++) p.update(info(s));
    p.finish();
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(11); // the first step, then every 10%
    expect(lines.at(-1)).toBe('step 20/20 | 5 agents | 100 req/s | 2.5 LLM calls/s | cache hit 75% | ETA 0s');
  });

  it('redraws one throttled bar on a terminal', () => {
    let text = '';
    let now = 0;
    const p = new ProgressReporter({
      stream: { isTTY: true, columns: 200, write: (c: string) => (text += c) },
      clock: () => now,
      intervalMs: 100,
    });
    for (let s = 1; s <= 20; s++) {
      now += 30;
      p.update(info(s));
    }
    p.finish();
    const frames = text.split('\r').filter(Boolean);
    expect(frames.length).toBeLessThan(10);
    expect(frames.at(-1)).toContain('[########################] step 20/20');
    expect(text.endsWith('\n')).toBe(true);
  });
});
