import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Profiler } from '../src/profiler.js';

function busy(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) x += Math.sqrt(x + 1);
  return x;
}

describe('Profiler', () => {
  let dir: string;
  let profiler: Profiler;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hp-monitor-prof-'));
    profiler = new Profiler({ dir });
  });
  afterEach(async () => {
    await profiler.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a CPU profile Chrome DevTools can load (.cpuprofile JSON)', async () => {
    const done = profiler.cpuProfile({ durationMs: 150, intervalUs: 500 });
    await new Promise((r) => setTimeout(r, 10));
    busy(60);
    const path = await done;
    expect(path.endsWith('.cpuprofile')).toBe(true);
    const profile = JSON.parse(readFileSync(path, 'utf8')) as {
      nodes: unknown[];
      samples: number[];
      startTime: number;
      endTime: number;
    };
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples.length).toBeGreaterThan(10);
    expect(profile.endTime).toBeGreaterThan(profile.startTime);
  });

  it('refuses a second concurrent CPU profile and honours AbortSignal', async () => {
    const first = profiler.cpuProfile({ durationMs: 50 });
    await expect(profiler.cpuProfile({ durationMs: 10 })).rejects.toMatchObject({ code: 'PROFILER_BUSY' });
    await first;
    const controller = new AbortController();
    const aborted = profiler.cpuProfile({ durationMs: 10_000, signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
    // usable again after an abort
    await expect(profiler.cpuProfile({ durationMs: 10 })).resolves.toMatch(/\.cpuprofile$/);
  });

  it('writes a heap snapshot (.heapsnapshot JSON)', async () => {
    const path = await profiler.heapSnapshot();
    expect(path.endsWith('.heapsnapshot')).toBe(true);
    const text = readFileSync(path, 'utf8');
    const snapshot = JSON.parse(text) as { snapshot: { meta: unknown; node_count: number } };
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
  }, 60_000);

  it('sampling mode rotates into a bounded set of files', async () => {
    await profiler.startSampling({ intervalUs: 10_000, rotateSeconds: 3600, keep: 2 });
    expect(profiler.sampling).toBe(true);
    await expect(profiler.cpuProfile({ durationMs: 10 })).rejects.toMatchObject({ code: 'PROFILER_BUSY' });
    busy(20);
    await profiler.rotate();
    busy(20);
    await profiler.rotate();
    busy(20);
    await profiler.rotate();
    const last = await profiler.stopSampling();
    expect(last).toMatch(/hp-sampling-.*\.cpuprofile$/);
    const files = readdirSync(dir).filter((f) => f.includes('sampling'));
    expect(files).toHaveLength(2);
    expect(files.sort().at(-1)).toBe(last!.split('/').at(-1));
    expect(profiler.sampling).toBe(false);
  });
});
