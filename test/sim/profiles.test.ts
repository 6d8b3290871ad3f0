/**
 * The seed-debate scenario (three guests, 150% overcommit, MGLRU) on the three hardware profiles:
 * the directions of the differences are pinned, each with the reason it must hold.
 */
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../engine/protocol.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import type { SummaryExtras } from '../../engine/core/sim/runSummary.ts';
import { scenario } from '../config/fixtures.ts';
import { debateScenario, hardware, type DebateOptions } from './fixtures.ts';

const run = (o: DebateOptions): RunSummary & SummaryExtras =>
  runInProcess(debateScenario({ durationMs: 100, ...o })).summary as RunSummary & SummaryExtras;

describe('hardware profiles on the seed-debate scenario', () => {
  const altra = run({ hw: hardware('ampere-altra'), harvest: 'lockless' });
  const altraLocked = run({ hw: hardware('ampere-altra'), harvest: 'locked-write' });
  // 200 ms: a vCPU's read-lock wait behind locked aging is a few us per 100 ms here (seed 1: 256 ns in
  // 100 ms before invalidate_range_end's write hold was modelled, 0 after; 4.7 / 2.3 us in 200 ms),
  // because a faulting vCPU books its read hold before kswapd's aging holds (sync/vlock.ts).
  const phone = run({ hw: hardware('phone-prev82'), harvest: 'locked-write', durationMs: 200 });
  const pkvm = run({ hw: hardware('pkvm'), harvest: 'hypercall' });
  const pkvmProtected = run({ hw: hardware('pkvm'), harvest: 'hypercall', protectedGuest: true });

  it('every run reclaims: the host is overcommitted', () => {
    for (const s of [altra, altraLocked, phone, pkvm, pkvmProtected]) {
      expect(s.evictions).toBeGreaterThan(0);
      expect(s.agingPasses).toBeGreaterThan(0);
    }
  });

  it('lockless aging (RCU + cmpxchg) makes no vCPU wait on the MMU lock because of aging', () => {
    expect(altra.lockWaitAgingNs).toBe(0);
    expect(altra.youngFound).toBeGreaterThan(0);
  });

  it('locked aging (write) holds the MMU lock: vCPU faults wait behind it', () => {
    expect(altraLocked.lockWaitAgingNs).toBeGreaterThan(0);
    expect(phone.lockWaitAgingNs).toBeGreaterThan(0);
  });

  it('pre-v8.2 (no FEAT_HAFDBS) takes access-flag faults; HAFDBS hardware takes none', () => {
    expect(phone.afFaults).toBeGreaterThan(0);
    expect(altra.afFaults).toBe(0);
    expect(altraLocked.afFaults).toBe(0);
  });

  it('pKVM ages by hypercall (one per mapping, under the lock), and a protected guest is never evicted', () => {
    expect(pkvm.hypercalls).toBeGreaterThan(0);
    expect(altra.hypercalls).toBe(0);
    expect(pkvm.lockWaitAgingNs).toBeGreaterThan(0);
    const db = pkvmProtected.guests.find((g) => g.name === 'db');
    expect(db?.pinned).toBe(true);
    expect(db?.evictions).toBe(0);
    expect(pkvmProtected.guests.filter((g) => g.name !== 'db').every((g) => g.evictions > 0)).toBe(true);
  });

  it('aging by hypercall costs more virtual time than the lockless walk', () => {
    expect(pkvm.agingNs / pkvm.agingPasses).toBeGreaterThan(altra.agingNs / altra.agingPasses);
  });

  it("the reviewer's what-if: lockless without HAFDBS still has access-flag faults but no aging lock wait", () => {
    const cfg = debateScenario({ hw: hardware('phone-prev82'), harvest: 'lockless', durationMs: 60 });
    cfg.reclaim.allowLocklessWithoutHafdbs = true;
    const s = runInProcess(cfg).summary as RunSummary & SummaryExtras;
    expect(s.afFaults).toBeGreaterThan(0);
    expect(s.lockWaitAgingNs).toBe(0);
  });

  it('deterministic runs are bit-identical across repeats (MGLRU, TLB on)', () => {
    const cfg = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless', durationMs: 40, tlb: true });
    const a = runInProcess(cfg);
    const b = runInProcess(cfg);
    expect(a.summary).toEqual(b.summary);
    expect(a.samples).toEqual(b.samples);
    expect((a.summary as RunSummary & SummaryExtras).tlbHits).toBeGreaterThan(0);
  });

  it('a different seed gives a different (but close) run', () => {
    const a = run({ hw: hardware('ampere-altra'), harvest: 'lockless', seed: 99 });
    expect(a.accesses).not.toBe(altra.accesses);
    expect(Math.abs(a.hitRate - altra.hitRate)).toBeLessThan(0.02);
  });
});

/**
 * The shipped seed-debate preset itself (1.5 GiB of guests on a 1 GiB host, 1.5 s virtual), as the CLI and
 * the UI run it: every profile must reach reclaim under the same pressure, or the comparison is empty.
 */
describe('the seed-debate preset puts every profile under reclaim', () => {
  const runs = (['ampere-altra', 'phone-prev82', 'pkvm'] as const).map((hw) => {
    const config = scenario('seed-debate', hw);
    config.run.deterministic = true;
    const r = runInProcess(config);
    // Evictions whose refault window (run.refaultWindowMs) closed before the run's end: eviction precision
    // is defined over those only (GuestSummary.evictionPrecision: NaN when none).
    const closedMs = config.run.durationMs - config.run.refaultWindowMs;
    let judged = 0;
    for (let i = 0; i < r.samples.tMs.length; i++) if (r.samples.tMs[i] <= closedMs) judged += r.samples.evictions[i];
    return { hw, summary: r.summary as RunSummary & SummaryExtras, judged };
  });

  it.each(runs.map((r) => [r.hw, r.summary, r.judged] as const))(
    '%s: the host evicts from several guests; precision and slowdown are defined',
    (hw, s, judged) => {
      const free = s.guests.filter((g) => !g.pinned);
      expect(free.length).toBe(hw === 'pkvm' ? 3 : 4);
      // One host lruvec: victims are the host's coldest pages, whichever guest holds them (a guest
      // whose every page is young at each walk, like the batch scan under lockless aging, may keep all).
      expect(s.evictions).toBeGreaterThan(3000);
      expect(free.filter((g) => g.evictions > 1000).length).toBeGreaterThanOrEqual(2);
      for (const g of free) {
        if (g.evictions === 0) continue;
        expect(g.refaults, `${hw} ${g.name}`).toBeGreaterThan(0);
        expect(g.slowdown as number, `${hw} ${g.name}`).toBeGreaterThan(1);
      }
      // Session 12 (arch/dvm.ts): on pkvm the broadcast TLBIs queueing on the DVM Sync delay the first
      // eviction from 850-900 ms to 1000-1050 ms, after the last refault window that closes in a 1.5 s run
      // with 500 ms windows: no eviction can be judged there, and precision is NaN by its definition. The
      // preset's duration is the lead's call (its description quotes figures), not this test's. Session 13:
      // with only the broadcast of pKVM's flush HVC on the DVM Sync (sim/costs.ts flushHvcNs) the first
      // eviction is at 864 ms (seed 1) and precision is defined again; still allowed to be NaN here.
      if (hw !== 'pkvm') expect(judged).toBeGreaterThan(0);
      if (judged === 0) {
        expect(Number.isNaN(s.evictionPrecision)).toBe(true);
        return;
      }
      expect(Number.isFinite(s.evictionPrecision)).toBe(true);
      expect(s.evictionPrecision).toBeGreaterThan(0);
      expect(s.evictionPrecision).toBeLessThan(1);
    },
  );

  it('pkvm: the protected vault guest is pinned, never evicted, never refaults', () => {
    const vault = runs[2].summary.guests.find((g) => g.name === 'vault')!;
    expect(vault.pinned).toBe(true);
    expect(vault.evictions).toBe(0);
    expect(vault.refaults).toBe(0);
    expect(vault.evictionPrecision).toBeNaN();
    // Its pressure stall: its first touches enter direct reclaim of the host lruvec (other guests'
    // pages) once the host is at its min watermark.
    expect(vault.slowdown as number).toBeGreaterThanOrEqual(1);
    for (const r of runs.slice(0, 2))
      expect(r.summary.guests.find((g) => g.name === 'vault')!.evictions).toBeGreaterThan(0);
  });

  it('direction of the differences: lockless waits on nothing, hypercall aging costs the most', () => {
    const [altra, phone, pkvm] = runs.map((r) => r.summary);
    expect(altra.lockWaitAgingNs).toBe(0);
    expect(phone.lockWaitAgingNs).toBeGreaterThan(0);
    expect(pkvm.lockWaitAgingNs).toBeGreaterThan(phone.lockWaitAgingNs ?? 0);
    // One HVC per mapping per folio considered, under the write lock.
    expect(pkvm.agingNs).toBeGreaterThan(Math.max(altra.agingNs, phone.agingNs));
    expect(phone.afFaults).toBeGreaterThan(0);
    expect(altra.afFaults + pkvm.afFaults).toBe(0);
  });
});
