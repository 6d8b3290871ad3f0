/**
 * A spread run's MGLRU PID controller lives on the shared lruvec (mm/sharedLru.ts ctrl, MglruGens.ctrl):
 * every worker's eviction reads the one lruvec's get_tier_idx, as every CPU's evict_folios reads
 * lrugen->avg_refaulted / refaulted / evicted / protected of the node's lruvec in the kernel (mm/vmscan.c
 * 6.1-6.6). Needed since spread runs take the fault's folio_inc_refs marks (mm/lruAdd.ts), so folios of
 * tiers 1-2 exist there too. The unlocked eviction count (lru_gen_eviction's atomic_long_add) is an atomic
 * add on the shared Int32Array.
 *
 * Construction: the node built once on shared buffers (prepareSpread's `fresh` Pgdat), then a worker's
 * Pgdat attached to them with a real lru_lock (composeWorker's), as a spread run does.
 * Hand-computed get_tier_idx: tier 0 refaulted 0 of total 1,000 (evicted), tier 1 refaulted 100 of total
 * 100: positive_ctrl_err(tier 1) = 100 >= MIN_LRU_BATCH and 100 * (1,000 + 64) * 1 = 106,400 > (0 + 1) *
 * 100 * 2 = 200, so not positive: get_tier_idx returns 0 (tiers 1-3 protected). With no counts it returns 3.
 *
 * Negative control (run by hand for this commit): pgdatLruvecs passing `ctrl: null` (each agent its own
 * counters, the lab before): both cases fail (the worker reads 3, not 0; its counters are its own
 * Float64Array, which the builder's never see).
 */
import { describe, expect, it } from 'vitest';
import { createArena } from '../../engine/core/layout.ts';
import { attachMmuLock } from '../../engine/core/kvm/mmuLock.ts';
import { Pgdat, HEADS } from '../../engine/core/mm/pgdat.ts';
import { PMD_PAGES } from '../../engine/core/mm/reclaimConsts.ts';
import { attachSharedLru, createSharedLruBuffers, type LockedLruvec } from '../../engine/core/mm/sharedLru.ts';
import { CTRL_EVICTED, CTRL_REFAULTED } from '../../engine/core/mm/policy/mglruConsts.ts';
import type { Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { getTierIdx, type CtrlWords } from '../../engine/core/mm/policy/mglruRefault.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';
import { zipfVmScenario } from './fixtures.ts';

const PAGES = 2048;

/** The builder's node and one worker's node on the same shared lruvec; their MGLRU policies. */
function twoNodes(): { builder: Mglru; worker: Mglru } {
  const config = zipfVmScenario({ harvest: 'lockless', policy: 'mglru' });
  const lru = createSharedLruBuffers(PAGES, HEADS, 1, Math.ceil(PAGES / PMD_PAGES));
  const stats = new Float64Array(GS_WORDS);
  const b = new Pgdat(config, [PAGES], [0], stats, 1, attachSharedLru(lru, true, null));
  const lock = attachMmuLock(createArena({ tablePages: 4, maxThreads: 2, maxLocks: 1 }), 0);
  const w = new Pgdat(config, [PAGES], [0], stats, 1, attachSharedLru(lru, false, lock));
  return { builder: b.policyOf(0) as Mglru, worker: (w.policyOf(0) as LockedLruvec).inner as Mglru };
}

const ctrlOf = (m: Mglru): CtrlWords => (m as unknown as { ctrl: CtrlWords }).ctrl;

describe('spread runs: one PID controller on the shared lruvec', () => {
  it("a worker's get_tier_idx reads the counts another agent made", () => {
    const { builder, worker } = twoNodes();
    expect(getTierIdx(ctrlOf(worker))).toBe(3);
    const c = ctrlOf(builder);
    c[CTRL_EVICTED] = 1000;
    c[CTRL_REFAULTED + 1] = 100;
    c[CTRL_EVICTED + 1] = 100;
    expect(getTierIdx(ctrlOf(worker))).toBe(0);
  });

  it("the worker's unlocked eviction count lands in the shared counters (atomic add)", () => {
    const { builder, worker } = twoNodes();
    // The worker's lruvec: two folios faulted (refs 0, tier 0), one generation added without a walk.
    worker.onMap(5);
    worker.onMap(6);
    (worker as unknown as { incMaxSeqNoWalk(): void }).incMaxSeqNoWalk();
    (worker as unknown as { incMaxSeqNoWalk(): void }).incMaxSeqNoWalk();
    worker.setLruLock({ lock: () => {}, unlock: () => {} }); // pickVictimIsolating: the count made unlocked
    const old: Reclaimer = { t: 0, referenced: () => false, walk: () => {}, canWalk: () => false, spent: () => false };
    const v = worker.pickVictim(old, false);
    expect([5, 6]).toContain(v);
    expect(ctrlOf(worker)).toBeInstanceOf(Int32Array);
    expect(ctrlOf(builder)[CTRL_EVICTED]).toBe(1);
  });
});
