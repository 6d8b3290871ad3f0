/**
 * WorkloadSpec validation: a discriminated union on `kind`; each kind has exactly its own keys.
 * Whether the pages fit in the guest is a scenario-level check (semantics.ts).
 */
import type { ClientSpec, Result, WorkloadKind, WorkloadSpec } from '../../protocol.ts';
import { openObject, type Fields, type NumRange } from './fields.ts';
import { FRACTION, PAGES, THINK_NS, ZIPF_THETA, MAX_DURATION_MS } from './limits.ts';
import { Problems, describeValue, joinPath, toResult } from './problems.ts';
import { suggestKey } from './suggest.ts';

export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['zipf', 'uniform', 'scan', 'hotset', 'trace'];

/** Keys of each kind, `kind` included. */
export function workloadKeys(kind: WorkloadKind): readonly string[] {
  switch (kind) {
    case 'zipf':
      return ['kind', 'pages', 'theta', 'writeFraction', 'thinkNs', 'opAccesses', 'client', 'loadPass'];
    case 'uniform':
      return ['kind', 'pages', 'writeFraction', 'thinkNs', 'opAccesses', 'client', 'loadPass'];
    case 'scan':
      return [
        'kind',
        'pages',
        'writeFraction',
        'thinkNs',
        'opAccesses',
        'slices',
        'passes',
        'prefault',
        'resetZapsRoot',
        'client',
      ];
    case 'hotset':
      return [
        'kind',
        'pages',
        'hotPages',
        'hotProbability',
        'shiftEveryMs',
        'writeFraction',
        'thinkNs',
        'opAccesses',
        'client',
        'loadPass',
      ];
    case 'trace':
      return ['kind', 'trace', 'writeFraction', 'thinkNs', 'opAccesses', 'client'];
    default:
      return assertNeverKind(kind);
  }
}

function assertNeverKind(x: never): never {
  throw new Error(`unexpected workload kind ${String(x)}`);
}

export function validateWorkloadSpec(x: unknown, path = 'workload'): Result<WorkloadSpec> {
  const problems = new Problems();
  return toResult(readWorkloadSpec(problems, x, path), problems, 'workload');
}

export function readWorkloadSpec(problems: Problems, x: unknown, path: string): WorkloadSpec | undefined {
  const mark = problems.count;
  const kind = readKind(problems, x, path);
  if (kind === undefined) return undefined;
  const f = openObject(problems, x, path, workloadKeys(kind));
  if (!f) return undefined;
  const spec = readKindFields(f, kind);
  // Optional: accesses per vCPU operation (ops/s and op latency are reported when set).
  if (f.has('opAccesses')) spec.opAccesses = f.num('opAccesses', { min: 1, max: 4096, integer: true });
  if (spec.kind === 'scan' && f.has('slices')) spec.slices = f.bool('slices');
  if (spec.kind === 'scan' && f.has('passes')) {
    spec.passes = f.num('passes', { min: 1, max: 1_000_000, integer: true });
    if (spec.slices !== true) problems.add(f.at('passes'), 'needs slices: true (passes end at the rendezvous)');
  }
  if (spec.kind === 'scan' && f.has('prefault')) spec.prefault = f.bool('prefault');
  if (spec.kind === 'scan' && f.has('resetZapsRoot')) {
    spec.resetZapsRoot = f.bool('resetZapsRoot');
    if (spec.passes === undefined) problems.add(f.at('resetZapsRoot'), 'needs passes (the reset is between two runs)');
  }
  if (f.has('loadPass')) spec.loadPass = f.bool('loadPass');
  if (f.has('client')) {
    const client = readClient(f);
    if (client) spec.client = client;
  }
  return problems.since(mark) === 0 ? spec : undefined;
}

/** Connections per vCPU: memcached binds a connection to one worker thread; 4096 is far above any setup. */
const CLIENT_CONNECTIONS: NumRange = { min: 1, max: 4096, integer: true };
/** A round trip of up to 1 virtual second. */
const CLIENT_ROUND_TRIP_NS: NumRange = { min: 0, max: 1e9, note: '(1 s)' };
const CLIENT_WARMUP_MS: NumRange = { min: 0, max: MAX_DURATION_MS };

/** workload.client (closed-loop client, sim/closedLoop.ts): it drives operations, so it needs opAccesses and no think time. */
function readClient(f: Fields): ClientSpec | undefined {
  const mark = f.problems.count;
  const c = f.object('client', ['connections', 'roundTripNs', 'warmupMs']);
  if (!c) return undefined;
  const client: ClientSpec = {
    connections: c.num('connections', CLIENT_CONNECTIONS),
    roundTripNs: c.num('roundTripNs', CLIENT_ROUND_TRIP_NS),
  };
  if (c.has('warmupMs')) client.warmupMs = c.num('warmupMs', CLIENT_WARMUP_MS);
  if (!f.has('opAccesses'))
    f.problems.addRelation(f.at('client'), 'needs opAccesses: each request of the client is one operation');
  if (f.has('thinkNs') && f.obj.thinkNs !== 0)
    f.problems.addRelation(
      f.at('thinkNs'),
      `must be 0 with a client (the time between requests is client.roundTripNs), got ${describeValue(f.obj.thinkNs)}`,
    );
  return f.problems.since(mark) === 0 ? client : undefined;
}

function readKind(problems: Problems, x: unknown, path: string): WorkloadKind | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    problems.add(path, `expected an object, got ${describeValue(x)}`);
    return undefined;
  }
  const kind = (x as Record<string, unknown>).kind;
  if (typeof kind === 'string' && (WORKLOAD_KINDS as readonly string[]).includes(kind)) return kind as WorkloadKind;
  const hint = typeof kind === 'string' ? suggestKey(kind, WORKLOAD_KINDS) : undefined;
  problems.add(
    joinPath(path, 'kind'),
    kind === undefined
      ? `missing (one of ${WORKLOAD_KINDS.join(', ')})`
      : `expected one of ${WORKLOAD_KINDS.join(', ')}, got ${describeValue(kind)}${hint ? ` (did you mean '${hint}'?)` : ''}`,
  );
  return undefined;
}

function readKindFields(f: Fields, kind: WorkloadKind): WorkloadSpec {
  const writeFraction = (): number => f.num('writeFraction', FRACTION);
  const thinkNs = (): number => f.num('thinkNs', THINK_NS);
  switch (kind) {
    case 'zipf':
      return {
        kind,
        pages: f.num('pages', PAGES),
        theta: f.num('theta', ZIPF_THETA),
        writeFraction: writeFraction(),
        thinkNs: thinkNs(),
      };
    case 'uniform':
    case 'scan':
      return { kind, pages: f.num('pages', PAGES), writeFraction: writeFraction(), thinkNs: thinkNs() };
    case 'hotset': {
      const pages = f.num('pages', PAGES);
      const hotPages = f.num('hotPages', PAGES);
      if (hotPages > pages) f.problems.addRelation(f.at('hotPages'), `must be <= pages (${pages}), got ${hotPages}`);
      return {
        kind,
        pages,
        hotPages,
        hotProbability: f.num('hotProbability', FRACTION),
        shiftEveryMs: f.num('shiftEveryMs', { min: 0, max: MAX_DURATION_MS, minExclusive: true }),
        writeFraction: writeFraction(),
        thinkNs: thinkNs(),
      };
    }
    case 'trace':
      return {
        kind,
        trace: f.str('trace', { nonEmpty: true, maxLength: 200 }),
        writeFraction: writeFraction(),
        thinkNs: thinkNs(),
      };
    default:
      return assertNeverKind(kind);
  }
}
