/**
 * Hand-built sessions for the session tests (no simulator needed). Every value is non-trivial
 * (NaN, -0, large and tiny floats) so a round trip that loses precision shows.
 */
import {
  COST_KEYS,
  SAMPLE_COLUMNS,
  SESSION_FORMAT,
  SESSION_VERSION,
  type CostFigure,
  type CostKey,
  type RunResult,
  type ScenarioConfig,
  type SessionData,
  type SampleColumns,
} from '../../engine/protocol.ts';

export function makeConfig(seed = 42): ScenarioConfig {
  const costs = Object.fromEntries(
    COST_KEYS.map((k, i) => [k, { ns: 10 + i * 7.5, source: `estimate for ${k}` }]),
  ) as Record<CostKey, CostFigure>;
  return {
    name: 'seed debate, small',
    description: 'two guests on an Altra-like host, 50% overcommit',
    hardware: {
      id: 'ampere-altra',
      name: 'Ampere Altra',
      description: 'Neoverse N1, FEAT_HAFDBS',
      hafdbs: true,
      pkvm: false,
      defaultHarvest: 'lockless',
      costs,
    },
    host: { memoryMiB: 64, watermarks: { minPct: 1, lowPct: 2, highPct: 3 }, swap: { device: 'zram', sizeMiB: 128 } },
    guests: [
      {
        name: 'db',
        memoryMiB: 64,
        vcpus: 2,
        workload: { kind: 'zipf', pages: 16384, theta: 0.99, writeFraction: 0.3, thinkNs: 50 },
        protected: false,
      },
      {
        name: 'web',
        memoryMiB: 32,
        vcpus: 1,
        workload: {
          kind: 'hotset',
          pages: 8192,
          hotPages: 512,
          hotProbability: 0.9,
          shiftEveryMs: 100,
          writeFraction: 0.1,
          thinkNs: 20,
        },
        protected: false,
      },
    ],
    reclaim: {
      policy: 'mglru',
      harvest: 'lockless',
      agingIntervalMs: 10,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: true, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
    },
    run: {
      durationMs: 500,
      sampleIntervalMs: 10,
      seed,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 1000,
      demandOnly: false,
    },
  };
}

export function makeColumns(rows: number, salt = 1): SampleColumns {
  const cols = {} as SampleColumns;
  SAMPLE_COLUMNS.forEach((name, c) => {
    const col = new Float64Array(rows);
    for (let r = 0; r < rows; r++) col[r] = Math.sin((r + 1) * (c + 1) * salt) * 10 ** ((c % 7) - 3);
    cols[name] = col;
  });
  if (rows > 2) {
    cols.hitRate[0] = NaN;
    cols.refaults[1] = -0;
    cols.throughput[2] = 1.7976931348623157e308;
  }
  return cols;
}

export function makeRunResult(rows = 50, seed = 42): RunResult {
  const config = makeConfig(seed);
  const guest = (name: string) => ({
    name,
    accesses: 1e6,
    hits: 9.1e5,
    hitRate: 0.91,
    coldMisses: 1234,
    refaults: 567,
    evictions: 890,
    evictionPrecision: 0.75,
    s2Faults: 1801,
    afFaults: 0,
    vcpuStallNs: 1.5e9,
    lockWaitNs: 3.25e7,
    throughput: 2e6,
    slowdown: name === 'db' ? 1.2 : null,
    pinned: false,
  });
  return {
    engineVersion: '0.1.0-test',
    config,
    seed,
    workers: 1,
    deterministic: true,
    summary: {
      accesses: 2e6,
      hits: 1.8e6,
      hitRate: 0.9,
      coldMisses: 2000,
      misses: 2e5,
      refaults: 1000,
      refaultPctWorkingSetPerMin: 3.5,
      evictions: 1500,
      evictionPrecision: 1 / 3,
      s2Faults: 3000,
      afFaults: 0,
      vcpuStallNs: 3e9,
      lockWaitNs: 0.1,
      lockHoldNs: 5e7,
      agingPasses: 50,
      agingNs: 2e8,
      ptesScanned: 1e6,
      youngFound: 4e5,
      cmpxchgFailures: 3,
      hypercalls: 0,
      tlbInvalidates: 1500,
      rcuGracePeriods: 12,
      tablePagesPeak: 40,
      virtualMs: 500,
      throughput: 4e6,
      guests: [guest('db'), guest('web')],
    },
    samples: makeColumns(rows, seed),
    wallMs: 123.4,
    stopped: false,
  };
}

export function makeSession(runs: RunResult[] = [makeRunResult()]): SessionData {
  return {
    format: SESSION_FORMAT,
    version: SESSION_VERSION,
    appVersion: '0.1.0',
    savedAt: '2025-01-01T00:00:00.000Z',
    draft: makeConfig(7),
    runs,
    ui: {
      view: 'run',
      selectedRun: runs.length - 1,
      compareRuns: runs.map((_, i) => i),
      chartMetric: ['hitRate', 'refaultRatePerSec'],
    },
  };
}
