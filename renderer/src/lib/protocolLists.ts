/**
 * The protocol's enumerations as runtime lists. The renderer imports only *types* from
 * engine/protocol.ts, so the lists are restated here; `satisfies Record<Union, true>` makes the
 * compiler reject a missing or an extra member when the protocol changes.
 */
import type { CostKey, HarvestMode, HeatChannel, ReclaimPolicy, SampleColumn } from '../../../engine/protocol.ts';

const harvest = {
  lockless: true,
  'locked-write': true,
  'locked-read': true,
  hypercall: true,
  none: true,
} satisfies Record<HarvestMode, true>;
const policies = { mglru: true, 'active-inactive': true, clock: true, 'exact-lru': true } satisfies Record<
  ReclaimPolicy,
  true
>;
const costs = {
  memAccess: true,
  walkLevel: true,
  hwAfUpdate: true,
  afFault: true,
  s2Fault: true,
  hypercall: true,
  lockAcquire: true,
  tlbInvalidate: true,
  pteScan: true,
  cmpxchg: true,
  swapIn: true,
  swapOut: true,
  rcuGracePeriod: true,
  tlbFlushVmid: true,
  dcacheCleanInval: true,
  vcpuRequest: true,
  ipiSend: true,
  ipiAck: true,
  kickExit: true,
} satisfies Record<CostKey, true>;
const samples = {
  tMs: true,
  accesses: true,
  hitRate: true,
  refaults: true,
  refaultRatePerSec: true,
  evictions: true,
  evictionPrecision: true,
  s2Faults: true,
  afFaults: true,
  vcpuStallNs: true,
  lockWaitNs: true,
  lockHoldNs: true,
  agingNs: true,
  ptesScanned: true,
  youngFound: true,
  cmpxchgFailures: true,
  rcuGracePeriods: true,
  rcuCallbacksPending: true,
  rcuPagesAwaitingFree: true,
  throughput: true,
  freeFrames: true,
  residentPages: true,
} satisfies Record<SampleColumn, true>;

export const HARVEST_MODES = Object.keys(harvest) as HarvestMode[];
export const RECLAIM_POLICIES = Object.keys(policies) as ReclaimPolicy[];
export const COST_KEYS = Object.keys(costs) as CostKey[];
export const SAMPLE_COLUMNS = Object.keys(samples) as SampleColumn[];

/** protocol.ts HEAT_CHANNELS, in order (the byte layout of a heat-map column). */
const heat = { resident: 0, young: 1, age: 2, evicted: 3, refaulted: 4 } satisfies Record<HeatChannel, number>;
export const HEAT_CHANNELS = (Object.keys(heat) as HeatChannel[]).sort((a, b) => heat[a] - heat[b]);
