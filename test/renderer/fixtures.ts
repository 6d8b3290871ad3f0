/** Hand-made protocol values for renderer unit tests (shapes only; numbers are arbitrary). */
import { SAMPLE_COLUMNS, type RunSummary, type SampleColumns } from '../../engine/protocol.ts';

/** Columns of `rows` rows every `dtMs`; every column i-th row = i + 1 unless overridden. */
export function columns(
  rows: number,
  dtMs = 10,
  override: Partial<Record<keyof SampleColumns, number[]>> = {},
): SampleColumns {
  const cols = {} as SampleColumns;
  for (const name of SAMPLE_COLUMNS) {
    const o = override[name];
    cols[name] = Float64Array.from({ length: rows }, (_, i) => (o ? o[i] : i + 1));
  }
  if (!override.tMs) cols.tMs = Float64Array.from({ length: rows }, (_, i) => (i + 1) * dtMs);
  return cols;
}

export function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    accesses: 1234567,
    hits: 1000000,
    hitRate: 0.81,
    coldMisses: 100,
    misses: 234567,
    refaults: 4321,
    refaultPctWorkingSetPerMin: 12.345,
    evictions: 5000,
    evictionPrecision: 0.9123,
    s2Faults: 4421,
    afFaults: 0,
    vcpuStallNs: 12_345_678,
    lockWaitNs: 0,
    lockHoldNs: 1_000_000,
    agingPasses: 10,
    agingNs: 2_500_000,
    ptesScanned: 100000,
    youngFound: 5000,
    cmpxchgFailures: 3,
    hypercalls: 0,
    tlbInvalidates: 5000,
    rcuGracePeriods: 7,
    tablePagesPeak: 42,
    virtualMs: 1000,
    throughput: 1234567,
    guests: [],
    ...over,
  };
}
