/**
 * Agent-state snapshots (seeded, see agentSnapshot.ts) through hp's default envelope against
 * JSON.stringify + node:zlib gzip (level 6, its default) and msgpackr (records) + LZ4 frame (lz4-napi).
 *
 * 1,000 agents: timed cases under tinybench (ops/s, median of alternating rounds).
 * 100,000 agents: one run takes 0.1-2 s, so each codec runs N alternating times by hand and the
 * median encode and decode times are reported (round-trip = encode + decode of the same run; a full
 * GC runs before each timed step, outside the timing);
 * throughput in snapshots per second. Sizes are bytes of the encoded form (lower is better).
 * Variant cases ("hp cbor+...") show why the default was picked (at 1,000 agents: the levels that
 * would be no larger than JSON+gzip, and what they cost).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync, gzipSync } from 'node:zlib';
import { defineSuite, type BenchCase } from '@hp/bench';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { Packr, Unpackr } from 'msgpackr';
import {
  AutoCompressor,
  CborCodec,
  type Compressor,
  decodeEnvelope,
  encodeEnvelope,
  GzipCompressor,
  Lz4Compressor,
  ZstdCompressor,
} from '../src/index.js';
import { makeSnapshot } from './agentSnapshot.js';

type Snapshot = ReturnType<typeof makeSnapshot>;

interface Contender {
  name: string;
  encode: (value: Snapshot) => Uint8Array;
  decode: (bytes: Uint8Array) => unknown;
}

const MAX = { maxBytes: 512 * 1024 * 1024 };
const packr = new Packr({ useRecords: true });
const unpackr = new Unpackr({ useRecords: true });

const hpDefault: Contender = {
  name: 'hp default',
  encode: (v) => encodeEnvelope(v),
  decode: (b) => decodeEnvelope(b, MAX),
};
const jsonGzip: Contender = {
  name: 'json+gzip',
  encode: (v) => gzipSync(JSON.stringify(v)),
  decode: (b) => JSON.parse(gunzipSync(b).toString('utf8')),
};
const msgpackrLz4: Contender = {
  name: 'msgpackr+lz4',
  encode: (v) => compressFrameSync(packr.pack(v)),
  decode: (b) => unpackr.unpack(decompressFrameSync(Buffer.from(b.buffer, b.byteOffset, b.byteLength))),
};

function variant(
  name: string,
  compression: Compressor,
  codecOptions: { records?: boolean; decimals?: boolean } = {},
): Contender {
  // Variants without "decimals" in their name write plain float64s (the default packs below 1 MiB).
  const codec = new CborCodec({ decimals: false, ...codecOptions, maxBytes: MAX.maxBytes });
  return {
    name,
    encode: (v) => encodeEnvelope(v, { codec, compression }),
    decode: (b) => decodeEnvelope(b, { ...MAX, codecs: [codec] }),
  };
}

const variants: Contender[] = [
  variant('hp cbor+zstd1', new ZstdCompressor({ level: 1 })),
  variant('hp cbor+zstd3', new ZstdCompressor({ level: 3 })),
  variant('hp cbor+zstd4', new ZstdCompressor({ level: 4 })),
  variant('hp cbor+gzip1', new GzipCompressor({ level: 1 })),
  variant('hp cbor+lz4', new Lz4Compressor()),
  variant('hp cbor+auto(speed)', new AutoCompressor({ prefer: 'speed' })),
  variant('hp cbor(no records)+zstd3', new ZstdCompressor({ level: 3 }), { records: false }),
  variant('hp cbor decimals+zstd3', new ZstdCompressor({ level: 3 }), { decimals: true }),
];

/**
 * At 1,000 agents: what it would take to be no larger than JSON+gzip (size-first zstd levels, gzip 6,
 * or short decimals as CBOR decimal fractions).
 */
const variants1k: Contender[] = [
  variant('hp cbor+zstd3', new ZstdCompressor({ level: 3 })),
  variant('hp cbor+zstd5', new ZstdCompressor({ level: 5 })),
  variant('hp cbor+zstd10', new ZstdCompressor({ level: 10 })),
  variant('hp cbor+gzip6', new GzipCompressor({ level: 6 })),
  variant('hp cbor decimals+zstd3', new ZstdCompressor({ level: 3 }), { decimals: true }),
  variant('hp cbor decimals+zstd2', new ZstdCompressor({ level: 2 }), { decimals: true }),
];

const RUNS = Number(process.env.HP_BENCH_RUNS ?? 7);

// A full GC before each timed run, so nobody pays for the garbage the previous contender left.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const snapshots = new Map<number, Snapshot>();
const snapshot = (agents: number): Snapshot => {
  let s = snapshots.get(agents);
  if (!s) snapshots.set(agents, (s = makeSnapshot(agents)));
  return s;
};

interface Figures {
  encodeMs: number;
  decodeMs: number;
  bytes: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** RUNS encode+decode runs of each contender, interleaved so load on the shared machine hits all alike. */
const figures = new Map<string, Figures>();
function measureAll(agents: number, group: string, contenders: Contender[]): void {
  const pending = contenders.filter((c) => !figures.has(`${agents}:${group}:${c.name}`));
  if (pending.length === 0) return;
  const value = snapshot(agents);
  const times = new Map(pending.map((c) => [c.name, { enc: [] as number[], dec: [] as number[], bytes: 0 }]));
  for (const c of pending) {
    // warm-up and a correctness check
    const decoded = c.decode(c.encode(value)) as Snapshot;
    if (decoded.agents.length !== value.agents.length || decoded.agents[7]!.name !== value.agents[7]!.name) {
      throw new Error(`${c.name} does not round-trip`);
    }
  }
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 === 0 ? pending : [...pending].reverse();
    for (const c of order) {
      const t = times.get(c.name)!;
      gc();
      const t0 = performance.now();
      const bytes = c.encode(value);
      const t1 = performance.now();
      gc();
      const t1b = performance.now();
      c.decode(bytes);
      const t2 = performance.now();
      t.enc.push(t1 - t0);
      t.dec.push(t2 - t1b);
      t.bytes = bytes.length;
    }
  }
  for (const [name, t] of times) {
    figures.set(`${agents}:${group}:${name}`, {
      encodeMs: median(t.enc),
      decodeMs: median(t.dec),
      bytes: t.bytes,
    });
    process.stderr.write(
      `    ${agents} agents ${name}: encode ${median(t.enc).toFixed(1)} ms, decode ${median(t.dec).toFixed(1)} ms, ${t.bytes} bytes\n`,
    );
  }
}

/**
 * Cases of `ours` against `peer`, measured within `group` (contenders measured together, interleaved:
 * the machine is shared, so only figures taken in the same minutes are compared).
 */
function measured(
  agents: number,
  ours: Contender,
  peer: Contender,
  group: [string, Contender[]],
): BenchCase[] {
  const label = agents >= 1000 ? `${agents / 1000}k` : String(agents);
  const get = (c: Contender): Figures => {
    measureAll(agents, group[0], group[1]);
    return figures.get(`${agents}:${group[0]}:${c.name}`)!;
  };
  const prefix = ours === hpDefault ? `${label} agents` : `${label} agents [${ours.name}]`;
  const perSecond = (ms: number): number => 1000 / ms;
  const make = (
    what: string,
    unit: string,
    higherIsBetter: boolean,
    pick: (f: Figures) => number,
  ): BenchCase => ({
    kind: 'measured',
    name: `${prefix} ${what}`,
    unit,
    higherIsBetter,
    measure: () => ({ ours: pick(get(ours)), peer: peer.name, peerValue: pick(get(peer)) }),
  });
  return [
    make('round-trip', 'snapshots/s', true, (f) => perSecond(f.encodeMs + f.decodeMs)),
    make('encode+compress', 'snapshots/s', true, (f) => perSecond(f.encodeMs)),
    make('decompress+decode', 'snapshots/s', true, (f) => perSecond(f.decodeMs)),
    make('encoded size', 'bytes', false, (f) => f.bytes),
  ];
}

function timed(agents: number, peer: Contender): BenchCase[] {
  const label = `${agents / 1000}k agents`;
  let ours: Uint8Array = new Uint8Array(0);
  let theirs: Uint8Array = new Uint8Array(0);
  const value = () => snapshot(agents);
  return [
    {
      name: `${label} round-trip`,
      unit: 'snapshots/s',
      ours: () => hpDefault.decode(hpDefault.encode(value())),
      peer: { name: peer.name, fn: () => peer.decode(peer.encode(value())) },
    },
    {
      name: `${label} encode+compress`,
      unit: 'snapshots/s',
      ours: () => (ours = hpDefault.encode(value())),
      peer: { name: peer.name, fn: () => (theirs = peer.encode(value())) },
    },
    {
      name: `${label} decompress+decode`,
      unit: 'snapshots/s',
      ours: () => hpDefault.decode(ours.length ? ours : (ours = hpDefault.encode(value()))),
      peer: {
        name: peer.name,
        fn: () => peer.decode(theirs.length ? theirs : (theirs = peer.encode(value()))),
      },
    },
    {
      kind: 'measured',
      name: `${label} encoded size`,
      unit: 'bytes',
      higherIsBetter: false,
      measure: () => ({
        ours: hpDefault.encode(value()).length,
        peer: peer.name,
        peerValue: peer.encode(value()).length,
      }),
    },
  ];
}

/** A variant's round-trip and size against `peer` (timed under tinybench, as the 1k default). */
function timedVariant(agents: number, ours: Contender, peer: Contender): BenchCase[] {
  const label = `${agents / 1000}k agents [${ours.name}]`;
  const value = () => snapshot(agents);
  return [
    {
      name: `${label} round-trip`,
      unit: 'snapshots/s',
      ours: () => ours.decode(ours.encode(value())),
      peer: { name: peer.name, fn: () => peer.decode(peer.encode(value())) },
    },
    {
      kind: 'measured',
      name: `${label} encoded size`,
      unit: 'bytes',
      higherIsBetter: false,
      measure: () => ({
        ours: ours.encode(value()).length,
        peer: peer.name,
        peerValue: peer.encode(value()).length,
      }),
    },
  ];
}

/**
 * Both sides' code warmed up together before anything is timed: without it the first case ran on a
 * cold process (JIT tiers, a heap still growing) and measured up to 30% below the same code later.
 */
function warmUp(contenders: Contender[], agents: number, ms: number): void {
  const value = snapshot(agents);
  const until = performance.now() + ms;
  while (performance.now() < until) for (const c of contenders) c.decode(c.encode(value));
}

const main: [string, Contender[]] = ['main', [hpDefault, jsonGzip, msgpackrLz4]];
const alternatives: [string, Contender[]] = ['variants', [jsonGzip, ...variants]];

export default defineSuite({
  name: 'snapshot',
  before: () => warmUp([hpDefault, jsonGzip, msgpackrLz4, ...variants1k], 1000, 2000),
  cases: () => [
    ...timed(1000, jsonGzip),
    ...timed(1000, msgpackrLz4),
    ...variants1k.flatMap((v) => timedVariant(1000, v, jsonGzip)),
    ...measured(100_000, hpDefault, jsonGzip, main),
    ...measured(100_000, hpDefault, msgpackrLz4, main),
    ...variants.flatMap((v) =>
      measured(100_000, v, jsonGzip, alternatives).filter((c) => !c.name.includes('code')),
    ),
  ],
});
