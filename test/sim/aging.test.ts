/**
 * Aging is reclaim-driven (engine/core/mm/policy/agingGate.ts): no aging pass while the host has free
 * memory, in any harvest mode, so no mode pays aging cost or blocks faults before there is pressure;
 * under pressure reclaim ages, and reclaim.agingIntervalMs is the minimum interval between pass starts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HarvestMode, ReclaimPolicy, RunSummary } from '../../engine/protocol.ts';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import type { SummaryExtras } from '../../engine/core/sim/runSummary.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { debateScenario, hardware } from './fixtures.ts';

type Hw = 'ampere-altra' | 'phone-prev82' | 'pkvm';
/** Every harvest mode, each on a profile that allows it. */
const MODES: [HarvestMode, Hw][] = [
  ['lockless', 'ampere-altra'],
  ['locked-write', 'phone-prev82'],
  ['locked-read', 'ampere-altra'],
  ['hypercall', 'pkvm'],
  ['none', 'ampere-altra'],
];
const POLICIES: ReclaimPolicy[] = ['mglru', 'active-inactive'];

/** The debate scenario (three 32 MiB guests, aging interval 20 ms) with the host's size in MiB. */
function run(mode: HarvestMode, hw: Hw, policy: ReclaimPolicy, hostMiB: number): RunSummary & SummaryExtras {
  const cfg = debateScenario({ hw: hardware(hw), harvest: mode, policy, durationMs: 100 });
  cfg.host.memoryMiB = hostMiB;
  return runInProcess(cfg).summary as RunSummary & SummaryExtras;
}

/** Virtual start times of every aging pass, per guest (one AgingGate per guest). */
function recordPassStarts(): Map<AgingGate, number[]> {
  const starts = new Map<AgingGate, number[]>();
  const start = AgingGate.prototype.start;
  vi.spyOn(AgingGate.prototype, 'start').mockImplementation(function (this: AgingGate, t: number) {
    const list = starts.get(this) ?? [];
    list.push(t);
    starts.set(this, list);
    start.call(this, t);
  });
  return starts;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('reclaim-driven aging', () => {
  describe.each(POLICIES)('%s', (policy) => {
    it.each(MODES)(
      'no memory pressure (host holds every guest): 0 aging passes, 0 aging lock wait (%s)',
      (mode, hw) => {
        const s = run(mode, hw, policy, 256);
        expect(s.evictions).toBe(0);
        expect(s.agingPasses).toBe(0);
        expect(s.agingNs).toBe(0);
        expect(s.ptesScanned + s.hypercalls).toBe(0);
        expect(s.lockWaitAgingNs).toBe(0);
        // Nothing cleared AF (pages are mapped young), so even without FEAT_HAFDBS no access-flag fault.
        expect(s.afFaults).toBe(0);
      },
    );

    it.each(MODES)('under pressure: aging passes, each guest’s at least agingIntervalMs apart (%s)', (mode, hw) => {
      const starts = recordPassStarts();
      const s = run(mode, hw, policy, 64);
      expect(s.evictions).toBeGreaterThan(0);
      // Even without the secondary MMU's accessed information (none), folio_referenced finds the host PTE
      // the fault installed young once (mm/hostPte.ts, ptep_clear_flush_young_notify), so active/inactive
      // activates pages and has an active list to age too.
      expect(s.agingPasses).toBeGreaterThan(0);
      const all = [...starts.values()];
      expect(all.reduce((n, l) => n + l.length, 0)).toBe(s.agingPasses);
      const intervalNs = 20e6;
      for (const list of all) {
        for (let i = 1; i < list.length; i++) expect(list[i] - list[i - 1]).toBeGreaterThanOrEqual(intervalNs);
        // The first pass waits for pressure: the host (64 MiB, 16384 frames) fills only after thousands of faults.
        expect(list[0]).toBeGreaterThan(1e6);
      }
    });
  });

  it('CLOCK and exact LRU never run aging passes, even under pressure', () => {
    for (const policy of ['clock', 'exact-lru'] as const) {
      const s = run('lockless', 'ampere-altra', policy, 64);
      expect(s.evictions).toBeGreaterThan(0);
      expect(s.agingPasses).toBe(0);
    }
  });

  it('the gate: a pass only when none is in progress and the interval since the last start has passed', () => {
    const g = new AgingGate(10);
    expect(g.open(0)).toBe(true);
    g.start(5);
    expect(g.open(100)).toBe(false); // in progress
    g.end();
    expect(g.open(14)).toBe(false);
    expect(g.open(15)).toBe(true);
  });
});
