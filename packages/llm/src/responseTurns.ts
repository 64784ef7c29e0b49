/**
 * Hands whole responses to the SDKs one per event-loop turn.
 *
 * Why: undici writes a request on a reused keep-alive socket only in a later check phase (`setImmediate`: it
 * waits a loop turn after each response, and validates an idle socket before reuse). When C responses arrive
 * together (one poll phase), the SDK parses each of them and the client starts each follow-up request in that
 * same phase, so every follow-up write waits for the SDK work of all C responses: they leave together, come
 * back together (a fixed server latency keeps the wave), and each request cycle pays C x the per-call CPU
 * instead of 1 x (benchmark/RESULTS.md, "Where the time goes"). Releasing one response per turn lets each
 * follow-up request be written before the next response's SDK work starts, which spreads the wave out.
 * A lone response waits one `setImmediate` (microseconds). Hand-written: no library schedules this.
 */
const waiting: (() => void)[] = [];
let head = 0;
let scheduled = false;

/** Resolves in a later event-loop turn; at most one waiter is released per turn, in arrival order. */
export function nextResponseTurn(): Promise<void> {
  return new Promise<void>((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(release);
    }
  });
}

function release(): void {
  const resolve = waiting[head];
  waiting[head++] = undefined as unknown as () => void;
  if (head === waiting.length) {
    waiting.length = 0;
    head = 0;
    scheduled = false;
  } else {
    // the released response's follow-up request queues its write (a setImmediate) while this turn's
    // microtasks run: relay through one more turn so that the write goes before the next response's work
    setImmediate(relay);
  }
  resolve?.();
}

function relay(): void {
  setImmediate(release);
}
