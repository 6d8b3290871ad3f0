/**
 * Strict structural check of a ScenarioConfig as stored in a session (preset values copied in).
 *
 * Contract: returns a fresh ScenarioConfig built field by field (no unknown keys, no aliasing of the
 * input) or throws SchemaError naming the path. It checks types and the ranges every valid config
 * satisfies (sizes non-negative, counts integral, fractions in [0, 1]); the engine's own validator
 * (engine/core/config) adds the semantic rules (watermark order, overcommit without swap...). A file
 * this accepts can still be refused by the engine when re-run, with the engine's message.
 */
import {
  COST_KEYS,
  HARVEST_MODES,
  RECLAIM_POLICIES,
  type CostKey,
  type CostFigure,
  type GuestSpec,
  type HardwareProfile,
  type HostSpec,
  type ReclaimSpec,
  type RunSpec,
  type ScenarioConfig,
  type WorkloadSpec,
} from '../protocol.ts';
import {
  checkArray,
  checkBoolean,
  checkFinite,
  checkObject,
  checkOneOf,
  checkString,
  join,
  SchemaError,
} from './check.ts';

const NONNEG = { min: 0 } as const;
const COUNT = { min: 0, integer: true } as const;
const FRACTION = { min: 0, max: 1 } as const;
const WORKLOAD_KINDS = ['zipf', 'uniform', 'scan', 'hotset', 'trace'] as const;

export function checkScenarioConfig(v: unknown, path: string): ScenarioConfig {
  const o = checkObject(v, path, ['name', 'description', 'hardware', 'host', 'guests', 'reclaim', 'run']);
  return {
    name: checkString(o.name, join(path, 'name'), 1000),
    description: checkString(o.description, join(path, 'description')),
    hardware: checkHardwareProfile(o.hardware, join(path, 'hardware')),
    host: checkHost(o.host, join(path, 'host')),
    guests: checkArray(o.guests, join(path, 'guests'), checkGuest, 4096),
    reclaim: checkReclaim(o.reclaim, join(path, 'reclaim')),
    run: checkRun(o.run, join(path, 'run')),
  };
}

export function checkHardwareProfile(v: unknown, path: string): HardwareProfile {
  const o = checkObject(v, path, ['id', 'name', 'description', 'hafdbs', 'pkvm', 'defaultHarvest', 'costs']);
  const costsPath = join(path, 'costs');
  const c = checkObject(o.costs, costsPath, COST_KEYS);
  const costs = {} as Record<CostKey, CostFigure>;
  for (const key of COST_KEYS) {
    const fp = join(costsPath, key);
    const f = checkObject(c[key], fp, ['ns', 'source']);
    costs[key] = { ns: checkFinite(f.ns, join(fp, 'ns'), NONNEG), source: checkString(f.source, join(fp, 'source')) };
  }
  return {
    id: checkString(o.id, join(path, 'id'), 200),
    name: checkString(o.name, join(path, 'name'), 1000),
    description: checkString(o.description, join(path, 'description')),
    hafdbs: checkBoolean(o.hafdbs, join(path, 'hafdbs')),
    pkvm: checkBoolean(o.pkvm, join(path, 'pkvm')),
    defaultHarvest: checkOneOf(o.defaultHarvest, join(path, 'defaultHarvest'), HARVEST_MODES),
    costs,
  };
}

function checkHost(v: unknown, path: string): HostSpec {
  const o = checkObject(v, path, ['memoryMiB', 'watermarks', 'swap']);
  const wp = join(path, 'watermarks');
  const w = checkObject(o.watermarks, wp, ['minPct', 'lowPct', 'highPct']);
  const sp = join(path, 'swap');
  const s = checkObject(o.swap, sp, ['device', 'sizeMiB']);
  const pct = { min: 0, max: 100 } as const;
  return {
    memoryMiB: checkFinite(o.memoryMiB, join(path, 'memoryMiB'), NONNEG),
    watermarks: {
      minPct: checkFinite(w.minPct, join(wp, 'minPct'), pct),
      lowPct: checkFinite(w.lowPct, join(wp, 'lowPct'), pct),
      highPct: checkFinite(w.highPct, join(wp, 'highPct'), pct),
    },
    swap: {
      device: checkOneOf(s.device, join(sp, 'device'), ['zram', 'ssd', 'none'] as const),
      sizeMiB: checkFinite(s.sizeMiB, join(sp, 'sizeMiB'), NONNEG),
    },
  };
}

function checkGuest(v: unknown, path: string): GuestSpec {
  const o = checkObject(v, path, ['name', 'memoryMiB', 'vcpus', 'workload', 'protected']);
  return {
    name: checkString(o.name, join(path, 'name'), 1000),
    memoryMiB: checkFinite(o.memoryMiB, join(path, 'memoryMiB'), NONNEG),
    vcpus: checkFinite(o.vcpus, join(path, 'vcpus'), { min: 1, integer: true }),
    workload: checkWorkload(o.workload, join(path, 'workload')),
    protected: checkBoolean(o.protected, join(path, 'protected')),
  };
}

export function checkWorkload(v: unknown, path: string): WorkloadSpec {
  // Read the discriminant first so the key list below can be exact for each kind.
  const kindValue = typeof v === 'object' && v !== null ? (v as { kind?: unknown }).kind : undefined;
  const kind = checkOneOf(kindValue, join(path, 'kind'), WORKLOAD_KINDS);
  const common = ['kind', 'writeFraction', 'thinkNs'];
  const num = (o: Record<string, unknown>, key: string, range: { min?: number; max?: number; integer?: boolean }) =>
    checkFinite(o[key], join(path, key), range);
  switch (kind) {
    case 'zipf': {
      const o = checkObject(v, path, [...common, 'pages', 'theta']);
      return {
        kind,
        pages: num(o, 'pages', COUNT),
        theta: num(o, 'theta', NONNEG),
        writeFraction: num(o, 'writeFraction', FRACTION),
        thinkNs: num(o, 'thinkNs', NONNEG),
      };
    }
    case 'uniform':
    case 'scan': {
      const o = checkObject(v, path, [...common, 'pages']);
      return {
        kind,
        pages: num(o, 'pages', COUNT),
        writeFraction: num(o, 'writeFraction', FRACTION),
        thinkNs: num(o, 'thinkNs', NONNEG),
      };
    }
    case 'hotset': {
      const o = checkObject(v, path, [...common, 'pages', 'hotPages', 'hotProbability', 'shiftEveryMs']);
      return {
        kind,
        pages: num(o, 'pages', COUNT),
        hotPages: num(o, 'hotPages', COUNT),
        hotProbability: num(o, 'hotProbability', FRACTION),
        shiftEveryMs: num(o, 'shiftEveryMs', NONNEG),
        writeFraction: num(o, 'writeFraction', FRACTION),
        thinkNs: num(o, 'thinkNs', NONNEG),
      };
    }
    case 'trace': {
      const o = checkObject(v, path, [...common, 'trace']);
      return {
        kind,
        trace: checkString(o.trace, join(path, 'trace'), 4096),
        writeFraction: num(o, 'writeFraction', FRACTION),
        thinkNs: num(o, 'thinkNs', NONNEG),
      };
    }
    default:
      throw new SchemaError(join(path, 'kind'), `unhandled workload kind ${String(kind satisfies never)}`);
  }
}

function checkReclaim(v: unknown, path: string): ReclaimSpec {
  const o = checkObject(v, path, [
    'policy',
    'harvest',
    'agingIntervalMs',
    'lookaround',
    'mapYoung',
    'tlb',
    'allowLocklessWithoutHafdbs',
  ]);
  const tp = join(path, 'tlb');
  const t = checkObject(o.tlb, tp, ['enabled', 'entries', 'flushOnClear']);
  return {
    policy: checkOneOf(o.policy, join(path, 'policy'), RECLAIM_POLICIES),
    harvest: checkOneOf(o.harvest, join(path, 'harvest'), HARVEST_MODES),
    agingIntervalMs: checkFinite(o.agingIntervalMs, join(path, 'agingIntervalMs'), NONNEG),
    lookaround: checkBoolean(o.lookaround, join(path, 'lookaround')),
    mapYoung: checkBoolean(o.mapYoung, join(path, 'mapYoung')),
    tlb: {
      enabled: checkBoolean(t.enabled, join(tp, 'enabled')),
      entries: checkFinite(t.entries, join(tp, 'entries'), COUNT),
      flushOnClear: checkBoolean(t.flushOnClear, join(tp, 'flushOnClear')),
    },
    allowLocklessWithoutHafdbs: checkBoolean(o.allowLocklessWithoutHafdbs, join(path, 'allowLocklessWithoutHafdbs')),
  };
}

function checkRun(v: unknown, path: string): RunSpec {
  const o = checkObject(v, path, [
    'durationMs',
    'sampleIntervalMs',
    'seed',
    'deterministic',
    'workers',
    'refaultWindowMs',
    'demandOnly',
  ]);
  return {
    durationMs: checkFinite(o.durationMs, join(path, 'durationMs'), NONNEG),
    sampleIntervalMs: checkFinite(o.sampleIntervalMs, join(path, 'sampleIntervalMs'), NONNEG),
    seed: checkFinite(o.seed, join(path, 'seed'), { integer: true }),
    deterministic: checkBoolean(o.deterministic, join(path, 'deterministic')),
    workers: checkFinite(o.workers, join(path, 'workers'), COUNT),
    refaultWindowMs: checkFinite(o.refaultWindowMs, join(path, 'refaultWindowMs'), NONNEG),
    demandOnly: checkBoolean(o.demandOnly, join(path, 'demandOnly')),
  };
}
