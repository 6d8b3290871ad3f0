/**
 * Host reclaim mechanisms (engine/core/mm): victims chosen across guests on one host lruvec,
 * proportional scanning of per-guest memcgs, the mmu-notifier path each harvest mode takes, and
 * MGLRU's page-table walk only with hardware AF (should_walk_mmu).
 */
import { describe, expect, it } from 'vitest';
import type { HardwareProfile, ReclaimSpec, RunSummary, ScenarioConfig, WorkloadSpec } from '../../engine/protocol.ts';
import type { SummaryExtras } from '../../engine/core/sim/runSummary.ts';
import { Mglru } from '../../engine/core/mm/policy/mglru.ts';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { C_SWAP_IN } from '../../engine/core/sim/costs.ts';
import { SSD_SWAP_IN_NS, swapInNs } from '../../engine/core/mm/swap.ts';
import { hardware } from './fixtures.ts';

type S = RunSummary & SummaryExtras;

function twoGuests(o: {
  hw?: HardwareProfile;
  lruvec: 'host' | 'memcg';
  policy?: ReclaimSpec['policy'];
  harvest?: ReclaimSpec['harvest'];
}): ScenarioConfig {
  const w = (x: WorkloadSpec): WorkloadSpec => x;
  return {
    name: 'two guests',
    description: '',
    hardware: o.hw ?? hardware('ampere-altra'),
    host: { memoryMiB: 12, watermarks: { minPct: 1, lowPct: 2, highPct: 4 }, swap: { device: 'zram', sizeMiB: 64 } },
    guests: [
      // 'sweep' cycles through 16 MiB: more than the host holds, so it must lose pages.
      {
        name: 'sweep',
        memoryMiB: 16,
        vcpus: 1,
        protected: false,
        workload: w({ kind: 'scan', pages: 4096, writeFraction: 0, thinkNs: 100 }),
      },
      // 'hot' touches 256 pages (1 MiB) all the time: never the host's coldest.
      {
        name: 'hot',
        memoryMiB: 4,
        vcpus: 1,
        protected: false,
        workload: w({ kind: 'uniform', pages: 256, writeFraction: 0, thinkNs: 100 }),
      },
    ],
    reclaim: {
      policy: o.policy ?? 'exact-lru',
      harvest: o.harvest ?? 'lockless',
      agingIntervalMs: 0,
      lookaround: true,
      mapYoung: true,
      tlb: { enabled: false, entries: 64, flushOnClear: false },
      allowLocklessWithoutHafdbs: false,
      lruvec: o.lruvec,
    },
    run: {
      durationMs: 40,
      sampleIntervalMs: 10,
      seed: 3,
      deterministic: true,
      workers: 1,
      refaultWindowMs: 10,
      demandOnly: false,
    },
  };
}

describe('host-wide victim choice', () => {
  it('one host lruvec: the victims are the host-wide least recently used pages, all of the sweeping guest', () => {
    const s = runInProcess(twoGuests({ lruvec: 'host' })).summary;
    const [sweep, hot] = s.guests;
    expect(sweep.evictions).toBeGreaterThan(1000);
    expect(hot.evictions).toBe(0);
  });

  it('per-guest memcgs (negative control for the above): the hot guest is scanned in proportion and loses pages', () => {
    const s = runInProcess(twoGuests({ lruvec: 'memcg' })).summary;
    const [sweep, hot] = s.guests;
    expect(sweep.evictions).toBeGreaterThan(hot.evictions);
    expect(hot.evictions).toBeGreaterThan(0);
    expect(hot.refaults).toBeGreaterThan(0);
  });

  it('MGLRU on one lruvec also spares the hot guest (AF through the walk and look-around)', () => {
    const s = runInProcess(twoGuests({ lruvec: 'host', policy: 'mglru' })).summary;
    expect(s.guests[0].evictions).toBeGreaterThan(1000);
    expect(s.guests[1].evictions).toBeLessThan(s.guests[0].evictions / 20);
  });
});

/** One guest under pressure (zipf over twice the host). */
function oneGuest(hw: HardwareProfile, harvest: ReclaimSpec['harvest'], extra: Partial<ReclaimSpec> = {}): S {
  const c = twoGuests({ hw, lruvec: 'host', policy: 'mglru', harvest });
  c.guests = [
    {
      name: 'g',
      memoryMiB: 24,
      vcpus: 2,
      protected: false,
      workload: { kind: 'zipf', pages: 6144, theta: 0.8, writeFraction: 0.2, thinkNs: 100 },
    },
  ];
  c.reclaim = { ...c.reclaim, ...extra };
  return runInProcess(c).summary as S;
}

describe('the mmu-notifier path per harvest mode', () => {
  const altra = hardware('ampere-altra');

  it('locked-write, rmap clear_flush_young: one locked age per folio considered, a VM-wide flush per young one', () => {
    const s = oneGuest(altra, 'locked-write');
    expect(s.foliosConsidered).toBeGreaterThan(1000);
    expect(s.tlbFlushesVm).toBeGreaterThan(0);
    expect(s.tlbFlushesVm).toBeLessThanOrEqual(s.foliosConsidered);
    // The walk never reaches the stage-2 without the fast path: every descriptor read is a folio's.
    expect(s.ptesScanned).toBe(s.foliosConsidered);
  });

  it('rmap clear_young (the v2 baseline): the same folios, no flush', () => {
    const s = oneGuest(altra, 'locked-write', { rmapFlushYoung: false });
    expect(s.foliosConsidered).toBeGreaterThan(1000);
    expect(s.tlbFlushesVm).toBe(0);
  });

  it('lockless (the seed, gated on HW AF): MGLRU never calls the locked notifier; the walk and look-around batch', () => {
    const s = oneGuest(altra, 'lockless');
    expect(s.foliosConsidered).toBe(0);
    expect(s.tlbFlushesVm).toBe(0);
    expect(s.ptesScanned).toBeGreaterThan(6000);
    expect(s.lockWaitAgingNs).toBe(0);
  });

  it('lockless with the classic LRU: the seed left folio_referenced -> clear_flush_young locked', () => {
    const c = twoGuests({ hw: altra, lruvec: 'host', policy: 'active-inactive', harvest: 'lockless' });
    const s = runInProcess(c).summary as S;
    expect(s.foliosConsidered).toBeGreaterThan(100);
    expect(s.tlbFlushesVm).toBeGreaterThan(0);
  });

  it('pKVM hypercall: one HVC per mapping per folio considered', () => {
    const s = oneGuest(hardware('pkvm'), 'hypercall');
    expect(s.foliosConsidered).toBeGreaterThan(1000);
    expect(s.hypercalls).toBe(s.foliosConsidered);
  });
});

describe('MGLRU walks page tables only with hardware AF (should_walk_mmu)', () => {
  /** A reclaimer that records what the policy asks of it. */
  function fake(canWalk: boolean): Reclaimer & { walks: number } {
    return {
      t: 0,
      walks: 0,
      referenced: () => false,
      walk(this: { walks: number }, _s: number, _e: number, _p: Promoter) {
        this.walks++;
      },
      canWalk: () => canWalk,
      spent: () => false,
    };
  }

  function policy(): Mglru {
    const pages = 8192;
    const a = new Int32Array(3 * (pages + 8));
    const m = new Mglru(
      new DList(a, 0, pages + 8),
      new Int16Array(pages),
      0,
      pages,
      pages,
      new Float64Array(64),
      0,
      new AgingGate(0),
    );
    for (let i = 0; i < pages; i++) m.onMap(i);
    return m;
  }

  it.each([
    [true, 2],
    [false, 0],
  ])('canWalk %s: an aging pass makes %i walk steps of MAX_LRU_BATCH', (canWalk, steps) => {
    const m = policy();
    const r = fake(canWalk);
    m.beginAging(0);
    while (m.ageStep(r)) {
      /* steps */
    }
    expect(r.walks).toBe(steps);
  });

  it('pre-v8.2 hardware: no walk in a whole run, only rmap ages (one descriptor per folio), AF faults after clears', () => {
    const s = oneGuest(hardware('phone-prev82'), 'locked-write');
    expect(s.agingPasses).toBeGreaterThan(0);
    expect(s.ptesScanned).toBe(s.foliosConsidered);
    expect(s.afFaults).toBeGreaterThan(0);
  });
});

describe('the swap device a refault waits for (mm/swap.ts)', () => {
  it('zram: the profile swapIn figure; ssd: an SSD read; a run with an SSD stalls longer per swap read', () => {
    const c = twoGuests({ lruvec: 'host' });
    const costs = new Float64Array(16);
    costs[C_SWAP_IN] = 10_000;
    expect(swapInNs(c, costs)).toBe(10_000);
    const ssd = { ...c, host: { ...c.host, swap: { device: 'ssd' as const, sizeMiB: 64 } } };
    expect(swapInNs(ssd, costs)).toBe(SSD_SWAP_IN_NS);
    const a = runInProcess(c).summary;
    const b = runInProcess(ssd).summary;
    expect(a.refaults).toBeGreaterThan(0);
    // Per read from the device: an SSD refault that finds its page read ahead does no I/O (mm/swapReadahead.ts).
    expect(a.swapReads).toBeUndefined();
    expect(b.swapReads).toBeGreaterThan(0);
    expect(b.vcpuStallNs / b.swapReads!).toBeGreaterThan(a.vcpuStallNs / a.refaults + 50_000);
  });
});
