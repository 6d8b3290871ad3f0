/** Short explanations shown next to every knob of the setup panel. */
import type { HarvestMode, ReclaimPolicy, WorkloadKind } from '../../../engine/protocol.ts';

export const HARVEST_HELP: Record<HarvestMode, string> = {
  lockless:
    'RCU + cmpxchg, no MMU lock (the seed patch). Needs hardware that sets the accessed bit (arm64: FEAT_HAFDBS; x86: EPT/TDP A/D bits) unless the what-if below is on.',
  'locked-write': 'Aging under the MMU lock taken for write: vCPU faults wait meanwhile.',
  'locked-read': 'Aging under the MMU lock taken for read (later kernels): blocks only writers.',
  hypercall: 'pKVM, non-protected guest: each mapping tested and cleared by a hypercall, under the lock.',
  none: 'No accessed information (pKVM protected guest / Realm): memory pinned, never evicted.',
};

export const POLICY_HELP: Record<ReclaimPolicy, string> = {
  mglru: 'Multi-generation LRU: aging walks stage-2 and clears young bits; evicts the oldest generation.',
  'active-inactive': 'Classic two-list LRU: pages move between active and inactive lists on reference.',
  clock: 'CLOCK with AF as the reference bit: a hand sweeps, clearing AF, evicting pages found old.',
  'exact-lru': 'Upper bound that cheats: sees every access and evicts the true least-recently-used page.',
};

export const WORKLOAD_HELP: Record<WorkloadKind, string> = {
  zipf: 'Skewed popularity: page rank k is touched with probability ∝ 1/k^θ.',
  uniform: 'Every page equally likely: no locality, the worst case for reclaim.',
  scan: 'Sequential scan over the pages: defeats LRU when larger than memory.',
  hotset: 'A hot subset takes most accesses and moves periodically.',
  trace: 'Replays a recorded block trace: load its file (.txt, .csv or .oracleGeneral.bin) below.',
};

export const HELP = {
  hardware: 'CPU and hypervisor: which costs apply and whether hardware sets the accessed flag.',
  scenario: 'A preset configuration; every value below can be edited before a run.',
  importHardware: 'Load a hardware profile JSON (same schema as presets/); it is validated first.',
  hostMemory: 'Host RAM in MiB. Overcommit = total guest memory / host memory.',
  watermarks: 'Free memory as % of host: kswapd wakes below low, stops at high; direct reclaim below min.',
  swapDevice: 'Where evicted pages go: zram (compressed RAM, µs) or SSD (tens of µs), or none.',
  swapSize: 'Swap capacity in MiB; must hold the overcommitted part.',
  policy: 'How reclaim chooses victims.',
  harvest: 'How the host learns which pages were accessed (the stage-2 AF harvest).',
  agingInterval:
    'Minimum virtual milliseconds between aging passes. Aging runs only when reclaim needs it (host below its low watermark), never on a timer.',
  lookaround: 'Test-clear-young of neighbours around a victim (what the bitmap in the patch is for).',
  mapYoung: 'Map new pages with AF=1 (as KVM does) or AF=0 (CLOCK reference semantics).',
  tlb: 'Per-vCPU TLB: a cached entry sets no AF, so clearing AF without a flush makes hot pages look cold.',
  tlbEntries: 'Entries per vCPU TLB.',
  flushOnClear: 'Invalidate the TLB entry when aging clears AF (costly, but keeps AF honest).',
  allowLockless: 'The reviewer’s what-if: run the lockless harvest even without FEAT_HAFDBS.',
  duration: 'Virtual duration of the run in milliseconds.',
  sampleInterval: 'Virtual milliseconds per sample (one point on each chart).',
  seed: 'Seed of the random number generators: same seed + deterministic = same numbers.',
  deterministic: 'One worker, fixed interleaving: bit-identical results.',
  workers: 'Worker threads for parallel runs; 0 = cores − 1.',
  refaultWindow: 'An eviction is a mistake if its page refaults within this many virtual ms.',
  demandOnly: 'Evict only on demand (no watermarks, no kswapd): the trace-oracle setup.',
  guestMemory: 'Guest memory in MiB (its stage-2 address space).',
  vcpus: 'vCPUs generating accesses for this guest.',
  protected: 'pKVM protected guest: memory pinned, no accessed information.',
  pages: 'Distinct 4 KiB pages the workload touches (its footprint).',
  theta: 'Zipf skew θ: 0 = uniform, ~1 = strongly skewed.',
  writeFraction: 'Fraction of accesses that are writes (0..1).',
  thinkNs: 'Virtual ns of computation between accesses.',
  hotPages: 'Pages in the hot set.',
  hotProbability: 'Probability an access goes to the hot set (0..1).',
  shiftEveryMs: 'Virtual ms between moves of the hot set.',
  trace: 'Name of a loaded trace: its file name without the extension (cloudPhysicsIO.txt → cloudPhysicsIO).',
} as const;

/**
 * Where a user of the app gets the traces the shipped presets replay (the CLI reads them itself from
 * ../shared/data/traces). The same text as engine/core/trace/sources.ts (the renderer imports no engine
 * values); test/renderer/traceHint.test.ts checks the two agree.
 */
export const TRACE_SOURCES: Readonly<Record<string, string>> = {
  cloudPhysicsIO: 'github.com/1a1a11a/libCacheSim, folder data/; or ../shared/data/traces',
};

/** The "not loaded" hint of a trace workload: how to load the file, and where to get it when a preset names it. */
export function traceMissingHint(trace: string): string {
  const where = Object.prototype.hasOwnProperty.call(TRACE_SOURCES, trace) ? TRACE_SOURCES[trace] : undefined;
  return where
    ? `Trace “${trace}” is not loaded: load ${trace}.txt, or drop the file here. Get it from ${where} (where the command-line lab finds it).`
    : `Trace “${trace}” is not loaded: load ${trace}.txt (or .csv, .oracleGeneral.bin), or drop the file here.`;
}
