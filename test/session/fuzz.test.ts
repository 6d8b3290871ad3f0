/**
 * Session fuzzing: seeded mutations of a valid file, at the byte level (bit flips, byte changes,
 * truncations, insertions, deletions, duplicated chunks) and at the msgpack value level (values replaced
 * by other types, keys deleted or added, subtrees swapped, columns resized). The invariant: decodeSession
 * never throws, and every refusal is a Result error with a non-empty message. Counts are printed.
 * Scale knob: FUZZ_SCALE (default 1 = 5000 byte-level + 5000 value-level cases). Seeded, so reproducible.
 */
import { describe, expect, it } from 'vitest';
import { Packr, Unpackr } from 'msgpackr';
import type { Result, SessionData } from '../../engine/protocol.ts';
import { decodeSession, encodeSession } from '../../engine/session/index.ts';
import { rng } from '../rng.ts';
import { makeRunResult, makeSession } from './fixtures.ts';

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const CASES = Math.max(1, Math.round(5000 * SCALE));
const packr = new Packr({ moreTypes: true, useRecords: false });
const unpackr = new Unpackr({ moreTypes: true, mapsAsObjects: true });

type Decoder = (bytes: Uint8Array) => Result<SessionData>;
interface Tally {
  cases: number;
  accepted: number;
  crashes: number;
  emptyMessages: number;
  byError: Record<string, number>;
  firstCrash?: string;
}

function tally(inputs: Iterable<Uint8Array>, decode: Decoder): Tally {
  const t: Tally = { cases: 0, accepted: 0, crashes: 0, emptyMessages: 0, byError: {} };
  for (const bytes of inputs) {
    t.cases++;
    let r: Result<SessionData>;
    try {
      r = decode(bytes);
    } catch (e) {
      t.crashes++;
      t.firstCrash ??= String(e);
      continue;
    }
    if (r.ok) {
      t.accepted++;
      // An accepted file must be a real session: it re-encodes and decodes again.
      const again = decode(encodeSession(r.value));
      if (!again.ok) t.crashes++;
    } else {
      t.byError[r.error.name] = (t.byError[r.error.name] ?? 0) + 1;
      if (typeof r.error.message !== 'string' || r.error.message.trim() === '') t.emptyMessages++;
    }
  }
  return t;
}

const int = (rand: () => number, n: number) => Math.floor(rand() * n);

/** Byte-level mutations of `base`. */
function* byteMutations(base: Uint8Array, seed: number, count: number): Generator<Uint8Array> {
  const rand = rng(seed);
  for (let i = 0; i < count; i++) {
    const b = new Uint8Array(base);
    const pos = int(rand, b.length);
    switch (int(rand, 6)) {
      case 0: // bit flips
        for (let k = 1 + int(rand, 8); k > 0; k--) b[int(rand, b.length)] ^= 1 << int(rand, 8);
        yield b;
        break;
      case 1: // byte changes (often to msgpack type bytes)
        for (let k = 1 + int(rand, 4); k > 0; k--)
          b[int(rand, b.length)] =
            rand() < 0.5 ? int(rand, 256) : [0xc0, 0xc1, 0xd4, 0xdc, 0xdd, 0xde, 0xdf, 0xc7, 0xc9, 0xff][int(rand, 10)];
        yield b;
        break;
      case 2: // truncation
        yield b.subarray(0, pos);
        break;
      case 3: {
        // insertion of random bytes
        const ins = Uint8Array.from({ length: 1 + int(rand, 16) }, () => int(rand, 256));
        const out = new Uint8Array(b.length + ins.length);
        out.set(b.subarray(0, pos));
        out.set(ins, pos);
        out.set(b.subarray(pos), pos + ins.length);
        yield out;
        break;
      }
      case 4: {
        // deletion of a range
        const len = Math.min(1 + int(rand, 64), b.length - pos);
        const out = new Uint8Array(b.length - len);
        out.set(b.subarray(0, pos));
        out.set(b.subarray(pos + len), pos);
        yield out;
        break;
      }
      case 5: {
        // a chunk of the file duplicated elsewhere
        const from = int(rand, b.length);
        const chunk = b.slice(from, from + 1 + int(rand, 256));
        const out = new Uint8Array(b.length + chunk.length);
        out.set(b.subarray(0, pos));
        out.set(chunk, pos);
        out.set(b.subarray(pos), pos + chunk.length);
        yield out;
        break;
      }
    }
  }
}

type Node = { parent: Record<string, unknown> | unknown[]; key: string | number };

function collectNodes(v: unknown, out: Node[]): void {
  if (Array.isArray(v)) v.forEach((x, i) => (out.push({ parent: v, key: i }), collectNodes(x, out)));
  else if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !(v instanceof Date)) {
    for (const k of Object.keys(v)) {
      out.push({ parent: v as Record<string, unknown>, key: k });
      collectNodes((v as Record<string, unknown>)[k], out);
    }
  }
}

function randomValue(rand: () => number, depth = 0): unknown {
  switch (int(rand, 14)) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return int(rand, 2 ** 31) - 2 ** 30;
    case 3:
      return [NaN, Infinity, -Infinity, -0, 1e308, 5e-324, 2 ** 53 + 2][int(rand, 7)];
    case 4:
      return 'x'.repeat(int(rand, 40));
    case 5:
      return ['lockless', 'zipf', 'mglru', 'overcommit-lab-session', 'hitRate', '__proto__', 'constructor'][
        int(rand, 7)
      ];
    case 6:
      return BigInt(int(rand, 1000)) * 2n ** 64n;
    case 7:
      return new Float64Array(int(rand, 60));
    case 8:
      return new Uint8Array(int(rand, 16));
    case 9:
      return new Date(int(rand, 2 ** 40));
    case 10:
      return depth < 3 ? Array.from({ length: int(rand, 4) }, () => randomValue(rand, depth + 1)) : [];
    case 11:
      return depth < 3 ? { [['a', 'kind', 'ns', '__proto__'][int(rand, 4)]]: randomValue(rand, depth + 1) } : {};
    case 12:
      return new Map<unknown, unknown>([
        [int(rand, 9), 'v'],
        [true, 1],
      ]);
    default:
      return undefined;
  }
}

/** Value-level mutations: decode, change the tree, re-encode as valid msgpack. */
function* valueMutations(base: Uint8Array, seed: number, count: number): Generator<Uint8Array> {
  const rand = rng(seed);
  for (let i = 0; i < count; i++) {
    const root = unpackr.unpack(base) as Record<string, unknown>;
    const nodes: Node[] = [];
    collectNodes(root, nodes);
    for (let k = 1 + int(rand, 3); k > 0; k--) {
      const n = nodes[int(rand, nodes.length)];
      const parent = n.parent as Record<string | number, unknown>;
      switch (int(rand, 5)) {
        case 0:
          parent[n.key] = randomValue(rand);
          break;
        case 1:
          if (Array.isArray(parent)) parent.splice(Number(n.key), 1);
          else delete parent[n.key];
          break;
        case 2:
          if (!Array.isArray(parent)) parent[`extra${int(rand, 3)}`] = randomValue(rand);
          else parent.push(randomValue(rand));
          break;
        case 3: {
          const m = nodes[int(rand, nodes.length)];
          const p2 = m.parent as Record<string | number, unknown>;
          [parent[n.key], p2[m.key]] = [p2[m.key], parent[n.key]];
          break;
        }
        case 4: {
          const cur = parent[n.key];
          parent[n.key] =
            cur instanceof Float64Array
              ? cur.subarray(0, int(rand, cur.length + 1))
              : typeof cur === 'number'
                ? -cur - 1
                : randomValue(rand);
          break;
        }
      }
    }
    let bytes: Uint8Array;
    try {
      bytes = packr.pack(root);
    } catch {
      continue; // the mutation made something msgpackr cannot encode: not a file, not a case
    }
    yield bytes;
  }
}

function report(what: string, t: Tally): void {
  console.log(
    `session fuzz (${what}): ${t.cases} cases, ${t.accepted} still valid, ${t.crashes} crashes, ${t.emptyMessages} empty messages; errors ${JSON.stringify(t.byError)}`,
  );
}

describe('session fuzzing', () => {
  const base = encodeSession(makeSession([makeRunResult(20, 5), makeRunResult(4, 6)]));

  it(`byte-level mutations (${CASES} seeded cases): 0 crashes, every refusal a clear error`, () => {
    const t = tally(byteMutations(base, 0xc0ffee, CASES), decodeSession);
    report('bytes', t);
    expect(t.firstCrash).toBeUndefined();
    expect(t.crashes).toBe(0);
    expect(t.emptyMessages).toBe(0);
    expect(t.cases).toBe(CASES);
    expect(t.cases - t.accepted).toBeGreaterThan(CASES / 2); // the mutations do break most files
    expect(t.byError.SessionCorrupt).toBeGreaterThan(0);
  });

  it(`msgpack value-level mutations (${CASES} seeded cases): 0 crashes, every refusal a clear error`, () => {
    const t = tally(valueMutations(base, 0xbadf00d, CASES), decodeSession);
    report('values', t);
    expect(t.firstCrash).toBeUndefined();
    expect(t.crashes).toBe(0);
    expect(t.emptyMessages).toBe(0);
    expect(t.cases).toBeGreaterThan(CASES * 0.9);
    expect(t.byError.SessionSchemaError).toBeGreaterThan(CASES / 2);
  });

  it('negative control: the harness counts a decoder that throws', () => {
    const throwing: Decoder = (b) => {
      if (b.length % 3 === 0) throw new Error('boom');
      return decodeSession(b);
    };
    const t = tally(byteMutations(base, 1, 300), throwing);
    expect(t.crashes).toBeGreaterThan(0);
  });
});
