/**
 * The issue-11 fuzzer: seeded cases against every parser of untrusted input, and the invariants each
 * must keep whatever it is fed:
 *  - sessions (decodeSession): never throws; a refusal is one line under 300 characters with no control
 *    characters; an accepted session re-encodes and decodes again;
 *  - presets (parsePresetFile, validateScenario): never throws; same refusal rules;
 *  - traces (parseTrace, and traceParser fed random chunks): only TraceFormatError, same rules; an
 *    accepted trace is consistent (requests = ids, every id < distinct, chunked = whole);
 *  - sweep specs (planSweep over the shipped presets): never throws; same refusal rules;
 * Cases are generated from real inputs (the shipped presets, a real session, small traces) by byte-,
 * text- and value-level mutations, plus hostile shapes (10^5-character keys and lines, 21-digit ids,
 * BOMs, control characters, deep nesting, maps with non-string keys, non-regular values).
 * Pure (no fs): the caller supplies the seed inputs, so vitest and scripts/fuzz.mjs share it.
 */
import { Packr } from 'msgpackr';
import type { Result } from '../../engine/protocol.ts';
import { loadPresets, parsePresetFile, validateScenario, type PresetSet } from '../../engine/core/config/index.ts';
import { planSweep } from '../../engine/core/sweep/plan.ts';
import { parseTrace, traceParser, TraceFormatError, type TraceData } from '../../engine/core/trace/index.ts';
import { decodeSession, encodeSession } from '../../engine/session/index.ts';
import { rng } from '../rng.ts';

export type Target = 'session' | 'preset' | 'scenario' | 'trace' | 'sweep';
export const TARGETS: readonly Target[] = ['session', 'preset', 'scenario', 'trace', 'sweep'];

export interface Seeds {
  /** A valid encoded session. */
  session: Uint8Array;
  /** Preset files: name -> JSON text. */
  presets: Record<string, string>;
  /** A valid ScenarioConfig (plain data). */
  scenario: unknown;
  /** A valid sweep spec (over a shipped scenario). */
  sweep: unknown;
}

export interface Finding {
  target: Target;
  caseIndex: number;
  problem: string;
}

export interface FuzzStats {
  cases: number;
  byTarget: Record<Target, { cases: number; accepted: number; refused: number }>;
  findings: Finding[];
  /** Longest refusal message seen. */
  longestRefusal: number;
  slowestMs: number;
  slowestCase: string;
}

const packr = new Packr({ moreTypes: true, useRecords: false });
const packMaps = new Packr({ moreTypes: true, useRecords: false, mapsAsObjects: false });
const enc = new TextEncoder();
// eslint-disable-next-line no-control-regex -- the invariant is exactly "no control characters"
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A refusal message must be one line, under 300 characters, with no control characters. */
function checkMessage(m: unknown): string | null {
  if (typeof m !== 'string' || m.trim() === '') return 'empty refusal message';
  const line = m.replace(/\n/g, ' '); // validator lists are joined to one line by every host
  if (line.length >= 300) return `refusal of ${line.length} characters: ${line.slice(0, 120)}…`;
  if (CONTROL.test(line)) return `control character in refusal: ${JSON.stringify(line.slice(0, 120))}`;
  return null;
}

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

const HOSTILE_STRINGS = [
  '',
  ' ',
  '\u001b[2J\u001b[H',
  '\u009b31m',
  '\ufeff',
  '__proto__',
  'constructor',
  'toString',
  '\u0000',
  'é漢字🙂',
  '9'.repeat(25),
  '-1',
  'NaN',
];

function hostileString(r: Rand): string {
  switch (int(r, 4)) {
    case 0:
      return pick(r, HOSTILE_STRINGS);
    case 1:
      return 'k'.repeat(1 + int(r, 100_000));
    case 2:
      return Array.from({ length: 1 + int(r, 20) }, () => String.fromCharCode(int(r, 0x3000))).join('');
    default:
      return `${pick(r, ['memAccess', 'walkLevel', 'guests', 'vcpus', 'thinkNs', 'format'])}${int(r, 3) ? 'x' : ''}`;
  }
}

function randomValue(r: Rand, depth = 0): unknown {
  switch (int(r, depth > 3 ? 8 : 11)) {
    case 0:
      return pick(r, [0, -1, 1, 0.5, -0, 1e308, -1e308, Infinity, -Infinity, NaN, 2 ** 53, 2 ** 64, 1e-320]);
    case 1:
      return int(r, 1_000_000);
    case 2:
      return hostileString(r);
    case 3:
      return pick(r, [true, false, null, undefined]);
    case 4:
      return new Float64Array(int(r, 50)).map(() => r() * 1e6 - 5e5);
    case 5:
      return new Uint8Array(int(r, 50));
    case 6:
      return new Date(int(r, 2 ** 40));
    case 7:
      return BigInt(int(r, 1e9)) * 10n ** 12n;
    case 8:
      return Array.from({ length: int(r, 5) }, () => randomValue(r, depth + 1));
    case 9: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 5); i > 0; i--) setOwn(o, hostileString(r), randomValue(r, depth + 1));
      return o;
    }
    default:
      return new Map<unknown, unknown>([[int(r, 9), randomValue(r, depth + 1)]]);
  }
}

/** An own property even for '__proto__' (as a decoder would create it), never a prototype change. */
function setOwn(o: object, key: string, value: unknown): void {
  try {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  } catch {
    /* a typed array refuses some keys: nothing to mutate there */
  }
}

/** Paths to every value inside a plain structure (objects, arrays). */
function paths(v: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (out.length > 5000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && !(v instanceof Map) && !(v instanceof Date))
    for (const k of Object.keys(v)) paths((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}

/** One value-level mutation of a deep copy of `base`. */
function mutateValue(r: Rand, base: unknown): unknown {
  const root = structuredClone(base) as Record<string, unknown>;
  const all = paths(root);
  for (let n = 1 + int(r, 3); n > 0; n--) {
    const p = pick(r, all);
    if (p.length === 0) continue;
    let parent: Record<string | number, unknown> = root;
    for (const k of p.slice(0, -1)) {
      const next = parent[k];
      if (!next || typeof next !== 'object') break;
      parent = next as Record<string | number, unknown>;
    }
    const key = p[p.length - 1];
    switch (int(r, 5)) {
      case 0:
        try {
          delete parent[key];
        } catch {
          /* a typed array's elements cannot be deleted */
        }
        break;
      case 1:
        setOwn(parent, hostileString(r), randomValue(r));
        break;
      case 2: {
        const v = parent[key];
        parent[key] = typeof v === 'number' ? pick(r, [-v, v * 1e9, NaN, -Infinity, v + 0.5, 0]) : randomValue(r);
        break;
      }
      default:
        try {
          parent[key] = randomValue(r);
        } catch {
          /* a typed array element takes no BigInt */
        }
    }
  }
  return root;
}

/** One byte-level mutation of `base`. */
function mutateBytes(r: Rand, base: Uint8Array): Uint8Array {
  let b = base.slice();
  for (let n = 1 + int(r, 4); n > 0; n--) {
    switch (int(r, 6)) {
      case 0:
        if (b.length) b[int(r, b.length)] ^= 1 << int(r, 8);
        break;
      case 1:
        if (b.length) b[int(r, b.length)] = int(r, 256);
        break;
      case 2:
        b = b.subarray(0, int(r, b.length + 1)).slice();
        break;
      case 3: {
        const at = int(r, b.length + 1);
        const ins = new Uint8Array(1 + int(r, 16)).map(() => int(r, 256));
        const c = new Uint8Array(b.length + ins.length);
        c.set(b.subarray(0, at));
        c.set(ins, at);
        c.set(b.subarray(at), at + ins.length);
        b = c;
        break;
      }
      case 4: {
        const at = int(r, b.length + 1);
        const len = int(r, 64);
        b = new Uint8Array([...b.subarray(0, at), ...b.subarray(at + len)]);
        break;
      }
      default: {
        const at = int(r, b.length + 1);
        const len = int(r, 256);
        const chunk = b.slice(at, at + len);
        const c = new Uint8Array(b.length + chunk.length);
        c.set(b.subarray(0, at));
        c.set(chunk, at);
        c.set(b.subarray(at), at + chunk.length);
        b = c;
      }
    }
  }
  return b;
}

function sessionCase(r: Rand, seeds: Seeds, base: unknown): Uint8Array {
  switch (int(r, 4)) {
    case 0:
      return mutateBytes(r, seeds.session);
    case 1:
      return packr.pack(mutateValue(r, base));
    case 2:
      return packMaps.pack(int(r, 2) ? randomValue(r) : { ...(base as object), ui: randomValue(r) });
    default: {
      // Deep nesting, written by hand (a packer would overflow its own stack): the draft becomes
      // depth x [fixarray of 1] around a 1.
      const depth = int(r, 200_000);
      const marked = packr.pack({ ...(base as object), draft: 'DEEP-NEST' }) as Uint8Array;
      const mark = enc.encode('DEEP-NEST');
      let at = -1;
      for (let i = 0; i + mark.length < marked.length && at < 0; i++)
        if (marked[i] === 0xa9 && mark.every((c, j) => marked[i + 1 + j] === c)) at = i;
      const deep = new Uint8Array(depth + 1).fill(0x91);
      deep[depth] = 0x01;
      if (at < 0) return deep;
      const out = new Uint8Array(marked.length - 10 + deep.length);
      out.set(marked.subarray(0, at));
      out.set(deep, at);
      out.set(marked.subarray(at + 10), at + deep.length);
      return out;
    }
  }
}

function textMutation(r: Rand, text: string): string {
  switch (int(r, 5)) {
    case 0:
      return `\ufeff${text}`;
    case 1:
      return text.slice(0, int(r, text.length + 1));
    case 2: {
      const at = int(r, text.length + 1);
      return text.slice(0, at) + hostileString(r) + text.slice(at);
    }
    case 3:
      return new TextDecoder().decode(mutateBytes(r, enc.encode(text)));
    default:
      return text.replace(/"(\w+)":/, () => `${JSON.stringify(hostileString(r))}:`);
  }
}

function traceCase(r: Rand): { name: string; bytes: Uint8Array } {
  const name = pick(r, ['t.txt', 't.csv', 't.bin', 't.oracleGeneral.bin']);
  const n = int(r, 200);
  const ids = Array.from({ length: n }, () =>
    int(r, 10) === 0
      ? pick(r, ['18446744073709551615', '18446744073709551616', '0'.repeat(30) + '7', '9'.repeat(21)])
      : String(int(r, 50)),
  );
  let bytes: Uint8Array;
  if (name.endsWith('.bin')) {
    bytes = new Uint8Array(24 * n);
    const view = new DataView(bytes.buffer);
    ids.forEach((id, i) => {
      view.setBigUint64(i * 24 + 4, BigInt(id) & ((1n << 64n) - 1n), true);
      view.setBigInt64(i * 24 + 16, int(r, 20) ? -1n : BigInt(int(r, 100)) - 50n, true);
    });
  } else if (name.endsWith('.csv')) {
    bytes = enc.encode(
      `version,time,op,size,lbn\n${ids.map((id, i) => `1,${i},r,4096,${id}`).join(pick(r, ['\n', '\r\n']))}`,
    );
  } else bytes = enc.encode(ids.join(pick(r, ['\n', '\r\n'])));
  if (int(r, 2)) bytes = mutateBytes(r, bytes);
  if (int(r, 20) === 0) bytes = enc.encode(`${'1'.repeat(int(r, 200_000))}\n`);
  if (int(r, 20) === 0) bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...bytes]);
  return { name, bytes };
}

function checkTrace(t: TraceData): string | null {
  if (t.pageIds.length !== t.requests) return 'requests != pageIds.length';
  if (t.distinct > t.requests || t.distinct < 1) return 'distinct out of range';
  for (const id of t.pageIds) if (id >= t.distinct) return 'page id >= distinct';
  return null;
}

const sets = new WeakMap<Seeds, PresetSet>();
/** The shipped presets as a PresetSet (sweeps are planned against it). */
function presetSet(seeds: Seeds): PresetSet {
  let set = sets.get(seeds);
  if (!set) {
    set = loadPresets(seeds.presets).set;
    sets.set(seeds, set);
  }
  return set;
}

/** Runs one case; returns a problem (a crash or a broken invariant) or null, and whether it was accepted. */
export function runCase(
  target: Target,
  caseIndex: number,
  seed: number,
  seeds: Seeds,
  base: unknown,
): { problem: string | null; accepted: boolean; message?: string } {
  const r = rng((seed * 0x9e3779b1) ^ caseIndex);
  switch (target) {
    case 'session': {
      let bytes: Uint8Array;
      try {
        bytes = sessionCase(r, seeds, base);
      } catch {
        bytes = mutateBytes(r, seeds.session); // the generator could not pack its value: mutate bytes instead
      }
      let res: Result<unknown>;
      try {
        res = decodeSession(bytes);
      } catch (e) {
        return { problem: `decodeSession threw: ${String(e).slice(0, 200)}`, accepted: false };
      }
      if (res.ok) {
        try {
          const again = decodeSession(encodeSession(res.value as never));
          return {
            problem: again.ok ? null : `accepted session does not round-trip: ${again.error.message}`,
            accepted: true,
          };
        } catch (e) {
          return { problem: `accepted session does not re-encode: ${String(e).slice(0, 200)}`, accepted: true };
        }
      }
      return { problem: checkMessage(res.error.message), accepted: false, message: res.error.message };
    }
    case 'preset': {
      const names = Object.keys(seeds.presets);
      const name = pick(r, names);
      const text = int(r, 3)
        ? textMutation(r, seeds.presets[name])
        : JSON.stringify(mutateValue(r, JSON.parse(seeds.presets[name])), (_k, v: unknown) =>
            typeof v === 'bigint' ? Number(v) : v,
          );
      let res: Result<unknown>;
      try {
        res = parsePresetFile(text, int(r, 10) ? name : hostileString(r));
      } catch (e) {
        return { problem: `parsePresetFile threw: ${String(e).slice(0, 200)}`, accepted: false };
      }
      return res.ok
        ? { problem: null, accepted: true }
        : { problem: checkMessage(res.error.message), accepted: false, message: res.error.message };
    }
    case 'scenario': {
      const value = mutateValue(r, seeds.scenario);
      let res: Result<unknown>;
      try {
        res = validateScenario(value);
      } catch (e) {
        return { problem: `validateScenario threw: ${String(e).slice(0, 200)}`, accepted: false };
      }
      return res.ok
        ? { problem: null, accepted: true }
        : { problem: checkMessage(res.error.message), accepted: false, message: res.error.message };
    }
    case 'trace': {
      const { name, bytes } = traceCase(r);
      let whole: TraceData;
      try {
        whole = parseTrace(name, bytes);
      } catch (e) {
        if (!(e instanceof TraceFormatError))
          return { problem: `parseTrace threw ${String(e).slice(0, 200)}`, accepted: false };
        return { problem: checkMessage(e.message), accepted: false, message: e.message };
      }
      const bad = checkTrace(whole);
      if (bad) return { problem: bad, accepted: true };
      try {
        const p = traceParser(name);
        for (let at = 0; at < bytes.length;) {
          const len = 1 + int(r, 300);
          p.push(bytes.subarray(at, at + len));
          at += len;
        }
        const chunked = p.end();
        const same =
          chunked.requests === whole.requests &&
          chunked.distinct === whole.distinct &&
          chunked.pageIds.every((x, i) => x === whole.pageIds[i]);
        return { problem: same ? null : 'chunked parse differs from whole parse', accepted: true };
      } catch (e) {
        return {
          problem: `chunked parse refused what the whole parse accepted: ${String(e).slice(0, 200)}`,
          accepted: true,
        };
      }
    }
    case 'sweep': {
      const spec = int(r, 4) ? mutateValue(r, seeds.sweep) : randomValue(r);
      let res: Result<unknown>;
      try {
        res = planSweep(spec, { set: presetSet(seeds), yes: int(r, 2) === 0 });
      } catch (e) {
        return { problem: `planSweep threw: ${String(e).slice(0, 200)}`, accepted: false };
      }
      return res.ok
        ? { problem: null, accepted: true }
        : { problem: checkMessage(res.error.message), accepted: false, message: res.error.message };
    }
    default: {
      const never: never = target;
      throw new Error(`unknown target ${String(never)}`);
    }
  }
}

/** `cases` cases round-robin over the targets, from `seed`. `onCase` sees the index before each case runs. */
export function runFuzz(seeds: Seeds, seed: number, cases: number, onCase?: (i: number) => void): FuzzStats {
  const base = decodeSession(seeds.session);
  if (!base.ok) throw new Error(`seed session invalid: ${base.error.message}`);
  const sweep = planSweep(seeds.sweep, { set: presetSet(seeds) });
  if (!sweep.ok) throw new Error(`seed sweep invalid: ${sweep.error.message}`);
  const stats: FuzzStats = {
    cases: 0,
    byTarget: Object.fromEntries(
      TARGETS.map((t) => [t, { cases: 0, accepted: 0, refused: 0 }]),
    ) as FuzzStats['byTarget'],
    findings: [],
    longestRefusal: 0,
    slowestMs: 0,
    slowestCase: '',
  };
  for (let i = 0; i < cases; i++) {
    const target = TARGETS[i % TARGETS.length];
    onCase?.(i);
    const t0 = performance.now();
    let out: ReturnType<typeof runCase>;
    try {
      out = runCase(target, i, seed, seeds, base.value);
    } catch (e) {
      // Only the generators run outside a target's own try: a bug of the harness, reported, not hidden.
      out = { problem: `harness error: ${String(e).slice(0, 200)}`, accepted: false };
    }
    const ms = performance.now() - t0;
    if (ms > stats.slowestMs) {
      stats.slowestMs = ms;
      stats.slowestCase = `${target} #${i}`;
    }
    stats.cases++;
    const tally = stats.byTarget[target];
    tally.cases++;
    if (out.accepted) tally.accepted++;
    else tally.refused++;
    if (out.message) stats.longestRefusal = Math.max(stats.longestRefusal, out.message.replace(/\n/g, ' ').length);
    if (out.problem) stats.findings.push({ target, caseIndex: i, problem: out.problem });
  }
  return stats;
}
