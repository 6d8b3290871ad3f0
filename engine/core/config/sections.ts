/**
 * Structural validation of a scenario's sections: HostSpec, GuestSpec, ReclaimSpec, RunSpec.
 * Each reader checks its own keys, types and ranges, and records the relations between its own fields
 * (watermark order...) with Problems.addRelation; relations between sections (overcommit vs swap,
 * harvest vs hardware, workload vs guest size) are in semantics.ts.
 */
import {
  GUEST_MEMORY_BACKINGS,
  HARVEST_MODES,
  RECLAIM_POLICIES,
  type GuestSpec,
  type HostSpec,
  type ReclaimSpec,
  type RunSpec,
} from '../../protocol.ts';
import { openObject, type Fields } from './fields.ts';
import {
  DURATION_MS,
  INTERVAL_MS,
  MAX_SAMPLES,
  MEMORY_MIB,
  PERCENT,
  SEED,
  SWAP_MIB,
  TLB_ENTRIES,
  VCPUS,
  WORKERS,
  isWholePages,
} from './limits.ts';
import type { Problems } from './problems.ts';
import { readWorkloadSpec } from './workload.ts';

export const HOST_KEYS = ['memoryMiB', 'watermarks', 'swap', 'scale'] as const;
export const GUEST_KEYS = ['name', 'memoryMiB', 'vcpus', 'workload', 'protected', 'memoryBacking'] as const;
export const RECLAIM_KEYS = [
  'policy',
  'harvest',
  'agingIntervalMs',
  'lookaround',
  'mapYoung',
  'tlb',
  'allowLocklessWithoutHafdbs',
  'lruvec',
  'rmapFlushYoung',
] as const;
export const RUN_KEYS = [
  'durationMs',
  'sampleIntervalMs',
  'seed',
  'deterministic',
  'workers',
  'refaultWindowMs',
  'demandOnly',
] as const;
export const SWAP_DEVICES = ['zram', 'ssd', 'none'] as const;
/** host.swap.ssd: the block device's model (engine/core/mm/swap.ts ssdReadLatencyNs). */
export const SSD_MODELS = ['tlc-nand', 'optane-p5800x'] as const;

/** A memory size in MiB that is a whole number of 4 KiB pages. */
export function memoryMiB(f: Fields, key: string): number {
  const v = f.num(key, MEMORY_MIB);
  if (v > 0 && !isWholePages(v))
    f.problems.add(f.at(key), `must be a whole number of 4 KiB pages (a multiple of 1/256 MiB), got ${v}`);
  return v;
}

export function readHost(problems: Problems, x: unknown, path: string): HostSpec | undefined {
  const f = openObject(problems, x, path, HOST_KEYS);
  if (!f) return undefined;
  const mem = memoryMiB(f, 'memoryMiB');
  const w = f.object('watermarks', ['minPct', 'lowPct', 'highPct']);
  const watermarks = { minPct: 0, lowPct: 0, highPct: 0 };
  if (w) {
    const mark = problems.count;
    watermarks.minPct = w.num('minPct', PERCENT);
    watermarks.lowPct = w.num('lowPct', PERCENT);
    watermarks.highPct = w.num('highPct', PERCENT);
    const { minPct, lowPct, highPct } = watermarks;
    if (problems.since(mark) === 0 && !(minPct <= lowPct && lowPct <= highPct))
      problems.addRelation(w.path, `must satisfy minPct <= lowPct <= highPct, got ${minPct} / ${lowPct} / ${highPct}`);
  }
  const s = f.object('swap', ['device', 'sizeMiB', 'ssd']);
  const swap: HostSpec['swap'] = { device: 'none', sizeMiB: 0 };
  if (s) {
    swap.device = s.oneOf('device', SWAP_DEVICES);
    swap.sizeMiB = s.num('sizeMiB', SWAP_MIB);
    if (swap.device === 'none' && swap.sizeMiB > 0)
      problems.addRelation(s.at('sizeMiB'), `must be 0 when device is 'none', got ${swap.sizeMiB}`);
    if (s.has('ssd')) {
      swap.ssd = s.oneOf('ssd', SSD_MODELS);
      if (swap.device !== 'ssd')
        problems.addRelation(s.at('ssd'), `names an SSD model, so device must be 'ssd', got '${swap.device}'`);
    }
  }
  const host: HostSpec = { memoryMiB: mem, watermarks, swap };
  // A 1/scale replica (HostSpec.scale): at most 4096 (256 MiB standing for 1 TiB).
  if (f.has('scale')) host.scale = f.num('scale', { min: 1, max: 4096, integer: true });
  return host;
}

export function readGuest(problems: Problems, x: unknown, path: string): GuestSpec | undefined {
  const f = openObject(problems, x, path, GUEST_KEYS);
  if (!f) return undefined;
  const name = f.str('name', { nonEmpty: true, maxLength: 64 });
  const mem = memoryMiB(f, 'memoryMiB');
  const vcpus = f.num('vcpus', VCPUS);
  const raw = f.raw('workload');
  const workload = raw === undefined ? undefined : readWorkloadSpec(problems, raw, f.at('workload'));
  const isProtected = f.bool('protected');
  const memoryBacking = readMemoryBacking(f);
  if (!workload) return undefined;
  const guest: GuestSpec = { name, memoryMiB: mem, vcpus, workload, protected: isProtected };
  if (memoryBacking !== undefined) guest.memoryBacking = memoryBacking;
  return guest;
}

/**
 * guests[].memoryBacking (optional; absent = 'shmem-memfd'): what backs the guest's memory in the VMM
 * (kvm/faultinWritable.ts). A protected (pKVM) guest's memory is pinned and never swapped, so the
 * setting changes nothing there; it is accepted.
 */
export function readMemoryBacking(f: Fields): GuestSpec['memoryBacking'] {
  return f.has('memoryBacking') ? f.oneOf('memoryBacking', GUEST_MEMORY_BACKINGS) : undefined;
}

export function readReclaim(problems: Problems, x: unknown, path: string): ReclaimSpec | undefined {
  return readReclaimWith(problems, x, path, HARVEST_MODES);
}

/**
 * readReclaim with the accepted `harvest` values given (a preset also accepts 'default'): the one list
 * is both the check and the "expected one of ..." message, so the message names every value accepted.
 */
export function readReclaimWith<H extends string>(
  problems: Problems,
  x: unknown,
  path: string,
  harvestModes: readonly H[],
): (Omit<ReclaimSpec, 'harvest'> & { harvest: H }) | undefined {
  const f = openObject(problems, x, path, RECLAIM_KEYS);
  if (!f) return undefined;
  const policy = f.oneOf('policy', RECLAIM_POLICIES);
  const harvest = f.oneOf('harvest', harvestModes);
  // A what-if rate limit with no kernel counterpart: 0 = off (the kernel's behaviour).
  const agingIntervalMs = f.num('agingIntervalMs', { ...INTERVAL_MS, minExclusive: false });
  const lookaround = f.bool('lookaround');
  const mapYoung = f.bool('mapYoung');
  const t = f.object('tlb', ['enabled', 'entries', 'flushOnClear']);
  const tlb = { enabled: false, entries: 1, flushOnClear: false };
  if (t) {
    tlb.enabled = t.bool('enabled');
    tlb.entries = t.num('entries', TLB_ENTRIES);
    tlb.flushOnClear = t.bool('flushOnClear');
  }
  const allowLocklessWithoutHafdbs = f.bool('allowLocklessWithoutHafdbs');
  const spec: Omit<ReclaimSpec, 'harvest'> & { harvest: H } = {
    policy,
    harvest,
    agingIntervalMs,
    lookaround,
    mapYoung,
    tlb,
    allowLocklessWithoutHafdbs,
  };
  // Optional (added after format version 1 sessions were written): absent = the kernel default.
  if (f.has('lruvec')) spec.lruvec = f.oneOf('lruvec', ['host', 'memcg'] as const);
  if (f.has('rmapFlushYoung')) spec.rmapFlushYoung = f.bool('rmapFlushYoung');
  return spec;
}

export function readRun(problems: Problems, x: unknown, path: string): RunSpec | undefined {
  const f = openObject(problems, x, path, RUN_KEYS);
  if (!f) return undefined;
  const mark = problems.count;
  const durationMs = f.num('durationMs', DURATION_MS);
  const sampleIntervalMs = f.num('sampleIntervalMs', INTERVAL_MS);
  if (problems.since(mark) === 0) {
    if (sampleIntervalMs > durationMs)
      problems.addRelation(f.at('sampleIntervalMs'), `must be <= durationMs (${durationMs}), got ${sampleIntervalMs}`);
    else if (durationMs / sampleIntervalMs > MAX_SAMPLES)
      problems.addRelation(
        f.at('sampleIntervalMs'),
        `gives ${Math.ceil(durationMs / sampleIntervalMs)} samples; at most ${MAX_SAMPLES} per run`,
      );
  }
  return {
    durationMs,
    sampleIntervalMs,
    seed: f.num('seed', SEED),
    deterministic: f.bool('deterministic'),
    // Ignored by deterministic runs (always one worker).
    workers: f.num('workers', WORKERS),
    refaultWindowMs: f.num('refaultWindowMs', INTERVAL_MS),
    demandOnly: f.bool('demandOnly'),
  };
}
