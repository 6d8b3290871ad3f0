/**
 * The published results of the seed series (../../../shared/research/seed-numbers.md) as reproductions:
 * each names its scenario preset (presets/scenarios/repro-*.json, whose description states the figure,
 * its source and the setup), the variants it runs (only what the published comparison changes: the
 * harvest mode = the patch applied or not, the reclaim policy = MGLRU on or off), how the lab figure
 * is computed from the runs' summaries, and the band it must land in (from the issue: direction and
 * magnitude). Nothing here sets a cost or a knob: the preset holds the published setup, the hardware
 * profile holds the costs.
 *
 * Pure data + arithmetic (engine core): engine/host/reproduce.ts runs the variants for the CLI
 * (`lab reproduce`) and the UI's Reproductions view (LabApi.startReproductions); the bench times the
 * same configs (reproductionConfigs).
 */
import type { ReproFigureInfo, ReproFigureResult, Result, RunSummary, ScenarioConfig } from '../../protocol.ts';
import type { PresetSet } from '../config/presetSet.ts';
import { resolveScenario } from '../config/resolve.ts';

/** One run a reproduction needs: its preset with these overrides. */
export interface Variant {
  key: string;
  scenario: string;
  harvest: 'lockless' | 'locked-write';
  policy?: 'mglru' | 'active-inactive';
}

/** One checked figure: the published value, the band, and how the lab value is computed. */
export interface Figure {
  id: string;
  /** What is compared, in words. */
  label: string;
  published: number;
  /** Inclusive bounds; null = unbounded on that side. */
  band: [number | null, number | null];
  lab(runs: Record<string, RunSummary>): number;
}

export interface Reproduction {
  id: string;
  /** The scenario preset that holds the published setup. */
  scenario: string;
  title: string;
  source: string;
  /**
   * How to read its figures: what the published figure was measured on when the lab runs it elsewhere,
   * or the mechanism the lab is known to lack for it. Shown beside the figures (UI table, CLI table), so
   * an out-of-band figure is not read as a result about the patch. States no lab figure (it would go
   * stale); the lab's figures and the analysis are in the preset's description and docs/.
   */
  note: string;
  variants: Variant[];
  figures: Figure[];
}

/** Virtual-time rate of the work the published benchmark times (ops/s). */
const opsPerSec = (s: RunSummary): number => s.opsPerSec ?? 0;
const p99 = (s: RunSummary): number => s.opLatencyP99Ns ?? Number.NaN;
const kswapdWait = (s: RunSummary): number => s.kswapdWriteWaitShare ?? 0;
/**
 * max_guest_memory_test's published figure: run 2 (time_run2 - time_reset), the second pass over guest
 * memory, timed from the rendezvous that released it to the one where every vCPU finished it
 * (workload.ts PassBarrier; the lab's reset step takes no virtual time, so pass 2 starts when pass 1
 * ends). NaN when the run ended before pass 2 did (the figure is then out of band, never a guess).
 */
export const run2Ms = (s: RunSummary): number => {
  const p = s.guests[0]?.passEndMs;
  return p !== undefined && p.length >= 2 ? p[1] - p[0] : Number.NaN;
};

const v = (key: string, scenario: string, harvest: Variant['harvest'], policy?: Variant['policy']): Variant => ({
  key,
  scenario,
  harvest,
  ...(policy ? { policy } : {}),
});

export const REPRODUCTIONS: readonly Reproduction[] = [
  {
    id: 'repro-memcached-arm64',
    scenario: 'repro-memcached-arm64',
    title:
      'arm64 memcached (memtier GET run, one connection per vCPU), 64-vCPU guest, MGLRU: lockless vs locked (rmap clear_young) harvest',
    source: 'lore.kernel.org/r/CAOUHufaWbWZ-q-PUJnjXD_jDk1s34mcg4vHU8CtAtmeAT-deRA@mail.gmail.com',
    note: 'What the lab lacks: the published gain comes from vCPUs stalled behind kvm->mmu_lock while reclaim ages under it. In the lab the write lock stalls vCPUs about as little with the patch as without it, so ops/s and p99 barely move. The likely missing input is how long one locked kvm_age_gfn holds the lock on the real host: no measurement exists, and the lab does not guess one. The lab also lacks a tail both variants share: on the swap device of the published host (an Optane SSD) a fault costs tens of microseconds, far below either published p99. Analysis: docs/repro-memcached.md.',
    variants: [v('before', 'repro-memcached-arm64', 'locked-write'), v('after', 'repro-memcached-arm64', 'lockless')],
    figures: [
      {
        id: 'ops-ratio',
        label: 'ops/s lockless / locked-write (639,511 -> 974,184)',
        published: 974_184 / 639_511,
        band: [1.3, 1.8],
        lab: (r) => opsPerSec(r.after) / opsPerSec(r.before),
      },
      {
        id: 'p99-change',
        label: 'op latency p99 change, lockless vs locked (0.271 -> 0.159 ms)',
        published: 0.159 / 0.271 - 1,
        band: [null, -0.25],
        lab: (r) => p99(r.after) / p99(r.before) - 1,
      },
    ],
  },
  {
    id: 'repro-v1-mglru',
    scenario: 'repro-max-guest-memory',
    title: 'v1: max_guest_memory_test -c 64, MGLRU, rmap clear_flush_young: run time before / after',
    source: 'lore.kernel.org/r/20230217041230.2417228-1-yuzhao@google.com',
    note: "Published on x86, reproduced on arm64: max_guest_memory_test cannot run on arm64 (every vCPU thread calls KVM_GET_REGS, which arm64's kvm_arch_vcpu_ioctl_get_regs refuses with -EINVAL), so the v1 figures come from an x86 workstation, where the locked path's TLB flush is an IPI to every running vCPU. This reproduction runs the test on Ampere Altra, as the issue asks, where that flush is one TLBI broadcast. A run-2 ratio below the band on Altra is the lab's prediction for arm64, not a contradiction of the x86 figure. The x86 what-if: npm run lab -- reproduce repro-v1-mglru --profile x86-workstation (docs/repro-max-guest-memory.md).",
    variants: [
      v('before', 'repro-max-guest-memory', 'locked-write', 'mglru'),
      v('after', 'repro-max-guest-memory', 'lockless', 'mglru'),
    ],
    figures: [
      {
        id: 'time-ratio',
        label: 'run 2 time locked / lockless (~600 s -> ~50 s)',
        published: 600 / 50,
        band: [5, null],
        lab: (r) => run2Ms(r.before) / run2Ms(r.after),
      },
      {
        id: 'kswapd-write-wait-before',
        label: 'kswapd time in MMU write-lock wait, before (_raw_write_lock 19.34 %)',
        published: 0.1934,
        band: [0.1, null],
        lab: (r) => kswapdWait(r.before),
      },
      {
        id: 'kswapd-write-wait-after',
        label: 'kswapd time in MMU write-lock wait, after (test_clear_young 1.53 %)',
        published: 0.0153,
        band: [null, 0.03],
        lab: (r) => kswapdWait(r.after),
      },
    ],
  },
  {
    id: 'repro-v1-active-inactive',
    scenario: 'repro-max-guest-memory',
    title: 'v1: the same test with MGLRU off (active/inactive): run time between MGLRU before and after',
    source: 'lore.kernel.org/r/20230217041230.2417228-1-yuzhao@google.com',
    note: "Same test as repro-v1-mglru: published on x86 (the test cannot run on arm64), reproduced on Ampere Altra. Every stage-2 fault marks its page accessed (kvm_release_pfn_clean; arm64 also kvm_set_pfn_accessed), and GUP-fast's pin of a pre-faulted page sets PG_referenced first, so its first fault activates it on both architectures: the active list is in run 1's fault order, the order of run 2's accesses: the classic LRU evicts each page just before its vCPU needs it and run 2 refaults nearly all of memory. On Altra every deactivation then finds the page still young from run 1 (a VM-wide flush each), so run 2 is slower than MGLRU before (above the band); x86's root zap between the runs leaves those pages old (it marks each accessed one, kvm_set_pfn_accessed). The x86 what-if: npm run lab -- reproduce repro-v1-active-inactive --profile x86-workstation (docs/repro-max-guest-memory.md, sessions 14 and 15 (a): the path from the fault to the LRU audited against 6.1-6.4).",
    variants: [
      v('mglru-before', 'repro-max-guest-memory', 'locked-write', 'mglru'),
      v('mglru-after', 'repro-max-guest-memory', 'lockless', 'mglru'),
      // The seed never changed the classic LRU's rmap path: the patch makes no difference there.
      v('off', 'repro-max-guest-memory', 'lockless', 'active-inactive'),
    ],
    figures: [
      {
        id: 'time-position',
        label: 'run 2 time (off - after) / (before - after): 0 = MGLRU after, 1 = MGLRU before (~250 s of 50..600 s)',
        published: (250 - 50) / (600 - 50),
        band: [0, 1],
        lab: (r) => (run2Ms(r.off) - run2Ms(r['mglru-after'])) / (run2Ms(r['mglru-before']) - run2Ms(r['mglru-after'])),
      },
    ],
  },
  {
    id: 'repro-v2-baseline',
    scenario: 'repro-max-guest-memory-v2',
    title: 'v2: the same test on a baseline whose rmap calls clear_young (no TLB flush): before / after',
    source: 'lore.kernel.org/r/20230526234435.662652-1-yuzhao@google.com',
    note: "Same test as repro-v1-mglru, so the v2 figures are x86's too (the test cannot run on arm64); reproduced on Ampere Altra. x86's root zap between the runs (resetZapsRoot) is not set for v2: when x86 began keeping TDP MMU roots alive across that reset is not known. The x86 what-if: npm run lab -- reproduce repro-v2-baseline --profile x86-workstation.",
    variants: [
      v('before', 'repro-max-guest-memory-v2', 'locked-write', 'mglru'),
      v('after', 'repro-max-guest-memory-v2', 'lockless', 'mglru'),
    ],
    figures: [
      {
        id: 'time-ratio',
        label: 'run 2 time locked / lockless (~64 s -> ~51 s)',
        published: 64 / 51,
        band: [1.1, 1.5],
        lab: (r) => run2Ms(r.before) / run2Ms(r.after),
      },
    ],
  },
];

export function inBand(x: number, band: Figure['band']): boolean {
  return Number.isFinite(x) && (band[0] === null || x >= band[0]) && (band[1] === null || x <= band[1]);
}

export function bandText(band: Figure['band']): string {
  if (band[0] !== null && band[1] !== null) return `[${band[0]}, ${band[1]}]`;
  if (band[0] !== null) return `>= ${band[0]}`;
  return `<= ${band[1]}`;
}

/** A run's identity across reproductions: runs with the same scenario, harvest mode and policy run once. */
export const variantKey = (v: Variant): string => `${v.scenario}/${v.harvest}/${v.policy ?? '-'}`;

/** The reproductions named by `ids` (every one for undefined), or a message naming the unknown id. */
export function pickReproductions(ids: readonly string[] | undefined): Result<Reproduction[]> {
  if (ids === undefined) return { ok: true, value: [...REPRODUCTIONS] };
  const out: Reproduction[] = [];
  for (const id of ids) {
    const r = REPRODUCTIONS.find((x) => x.id === id);
    if (!r) {
      const known = REPRODUCTIONS.map((x) => x.id).join(', ');
      return {
        ok: false,
        error: { name: 'UnknownReproduction', message: `unknown reproduction '${id}' (known: ${known})` },
      };
    }
    if (!out.includes(r)) out.push(r);
  }
  return { ok: true, value: out };
}

/**
 * The validated config of every run a set of reproductions needs, by variantKey, in the order the
 * reproductions need them (so the first reproduction's runs come first). A preset that does not
 * resolve is an error naming the reproduction.
 */
export function reproductionConfigs(
  set: PresetSet,
  repros: readonly Reproduction[],
  /** A what-if: every run on this hardware profile instead of its scenario's own. */
  hardware?: string,
): Result<Map<string, ScenarioConfig>> {
  const out = new Map<string, ScenarioConfig>();
  for (const r of repros)
    for (const v of r.variants) {
      const key = variantKey(v);
      if (out.has(key)) continue;
      const c = resolveScenario(set, v.scenario, {
        harvest: v.harvest,
        policy: v.policy,
        ...(hardware === undefined ? {} : { hardware }),
      });
      if (!c.ok) return { ok: false, error: { ...c.error, message: `${r.id}: ${c.error.message}` } };
      out.set(key, c.value);
    }
  return { ok: true, value: out };
}

/** A reproduction's figures from its runs' summaries (by variantKey; every variant must be there). */
export function evaluateReproduction(r: Reproduction, summaries: ReadonlyMap<string, RunSummary>): ReproFigureResult[] {
  const runs: Record<string, RunSummary> = {};
  for (const v of r.variants) {
    const s = summaries.get(variantKey(v));
    if (!s) throw new Error(`${r.id}: run ${variantKey(v)} has no result`);
    runs[v.key] = s;
  }
  return r.figures.map((f) => {
    const lab = f.lab(runs);
    return {
      ...figureInfo(f),
      lab,
      inBand: inBand(lab, f.band),
    };
  });
}

/** A figure as the UI lists it (no computation: what is compared, the published value, the band). */
export function figureInfo(f: Figure): ReproFigureInfo {
  return { id: f.id, label: f.label, published: f.published, band: f.band, bandText: bandText(f.band) };
}
