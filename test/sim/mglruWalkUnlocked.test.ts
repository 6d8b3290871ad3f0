/**
 * Spread runs: MGLRU's aging walk runs without lru_lock (engine/core/mm/policy/mglruAging.ts ageStep,
 * mm/sharedLru.ts LockedLruvec.ageStep). Kernel (mm/vmscan.c, 6.1-6.12): walk_mm runs walk_page_range
 * under mmap_read_trylock only; walk_pte_range's folio_update_gen moves a young folio's generation at
 * once (a cmpxchg on folio->flags, no lru_lock) and only the generations' sizes are batched in the
 * mm_walk, applied afterwards in one lru_lock hold (reset_batch_size); inc_max_seq takes lru_lock itself.
 * The lab keeps tags and sizes under the one lock, so a walk promotion is a short hold of its own.
 * Before s9-w2, one aging step (MAX_LRU_BATCH ids) was one lru_lock hold around the whole walk, so the
 * other worker's reclaimers spun or slept on lru_lock for its length.
 *
 * Negative controls (run for this commit): with the previous mglru.ts, sharedLru.ts and policy.ts (the
 * whole step under lru_lock, promotions made at once) the first test fails: another agent's tryWrite
 * fails in both walks ("expected +0 to be 2"); with the per-step hold not applying the batch
 * (flushDeferred dropped from Mglru.ageStep's hold between steps) the second test fails: the second walk
 * reads page 7 still in generation 1 ("expected [ 1 ] to deeply equal [ 2 ]").
 */
import { describe, expect, it } from 'vitest';
import { createArena } from '../../engine/core/layout.ts';
import { attachMmuLock, lockStats, tryWrite, writeUnlock } from '../../engine/core/kvm/mmuLock.ts';
import { AgingGate, GATE_WORDS } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_LRU_BATCH, MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Promoter, Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { LockedLruvec } from '../../engine/core/mm/sharedLru.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_AGING_PASSES, GS_WORDS } from '../../engine/core/sim/simLayout.ts';

/** A lruvec of n pages, all in generation 1, max_seq 2 (one pass without a walk): a promotion moves a page. */
function make(n: number): { m: Mglru; list: DList; tag: Int16Array } {
  const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
  const tag = new Int16Array(n);
  const m = new Mglru(list, tag, 0, n, n, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  for (let id = 0; id < n; id++) m.onMap(id); // all in generation 1 (max_seq 1)
  const noWalk: Reclaimer = { t: 0, referenced: () => false, walk: () => {}, canWalk: () => false, spent: () => false };
  m.beginAging(0);
  while (m.ageStep(noWalk)) {
    /* no walk: the generation opens at the end */
  }
  return { m, list, tag };
}

/** Every generation's list, head to tail, and the size: the lruvec's whole state. */
function lists(list: DList, n: number): number[][] {
  const out: number[][] = [];
  for (let h = n; h < n + MAX_NR_GENS; h++) {
    const l: number[] = [];
    for (let v = list.a[list.nextBase + h]; v !== h; v = list.a[list.nextBase + v]) l.push(v);
    out.push(l);
  }
  return out;
}

/**
 * Two agents (a spread run's two workers) on one lruvec of n pages in shared state: A builds it (all
 * pages mapped, in generation 1), B attaches to it.
 */
function twoAgents(n: number): { A: Mglru; B: Mglru; stats: Float64Array } {
  const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
  const tag = new Int16Array(n);
  const state = new Float64Array(12);
  const gateState = new Float64Array(GATE_WORDS);
  const flags = new Uint8Array(n);
  const stats = new Float64Array(GS_WORDS);
  const A = new Mglru(list, tag, 0, n, n, stats, 0, new AgingGate(0, gateState, 0, true), state, true, flags);
  const B = new Mglru(list, tag, 0, n, n, stats, 0, new AgingGate(0, gateState, 0, false), state, false, flags);
  for (let id = 0; id < n; id++) A.onMap(id);
  return { A, B, stats };
}

describe('MGLRU aging walk in spread runs: walk_mm without lru_lock', () => {
  it('another agent can take lru_lock during each walk step; the promotions land as in the lock-free walk', () => {
    // Two steps: MAX_LRU_BATCH ids, then the rest.
    const N = MAX_LRU_BATCH + 100;
    const young = [3, 4100, 4150]; // one in the first step's ids, two in the second's
    const v = createArena({ tablePages: 4, maxThreads: 4, maxLocks: 1 });
    const lock = attachMmuLock(v, 0);
    const other = attachMmuLock(v, 0); // the other worker's handle on the same lru_lock
    const { m, list, tag } = make(N);
    const lv = new LockedLruvec(m, lock);
    let walks = 0;
    let free = 0;
    const r: Reclaimer = {
      t: 0,
      referenced: () => false,
      walk: (start: number, end: number, p: Promoter) => {
        walks++;
        if (tryWrite(other)) {
          free++;
          writeUnlock(other);
        }
        for (const id of young) if (id >= start && id < end) p.promote(id);
      },
      canWalk: () => true,
      spent: () => false,
    };
    lv.beginAging(0);
    while (lv.ageStep(r)) {
      /* next MAX_LRU_BATCH ids */
    }
    expect(walks).toBe(2);
    expect(free).toBe(2); // control (the whole step under lru_lock): 0
    // Hand count of this agent's holds: beginAging 1, one per young page (the walk's folio_update_gen, at
    // once), then one per step (its deferred operations; the last with inc_max_seq).
    expect(lockStats(v, 0).writeAcquires - 2).toBe(1 + young.length + 2); // minus the other agent's two tryWrites
    // The same walk without any lock (one-worker runs: promote at once) leaves the same lists and tags.
    const ref = make(N);
    const plain: Reclaimer = {
      ...r,
      walk: (start, end, p) => young.forEach((id) => id >= start && id < end && p.promote(id)),
    };
    ref.m.beginAging(0);
    while (ref.m.ageStep(plain)) {
      /* next MAX_LRU_BATCH ids */
    }
    expect(lists(list, N)).toEqual(lists(ref.list, N));
    expect(Array.from(tag)).toEqual(Array.from(ref.tag));
    expect(m.size()).toBe(ref.m.size());
    for (const id of young) expect(tag[id]).toBe(2); // promoted into the walked max_seq (2), then max_seq 3 opened
    expect(tag[5]).toBe(1);
  });

  it("a page the walk promoted is in max_seq before the step ends (folio_update_gen at once), for the next step's walk too", () => {
    const N = MAX_LRU_BATCH + 10;
    const v = createArena({ tablePages: 4, maxThreads: 4, maxLocks: 1 });
    const lock = attachMmuLock(v, 0);
    const { m, tag } = make(N);
    const lv = new LockedLruvec(m, lock);
    const seen: number[] = [];
    const r: Reclaimer = {
      t: 0,
      referenced: () => false,
      walk: (start: number, _end: number, p: Promoter) => {
        if (start === 0) p.promote(7);
        else seen.push(tag[7]); // the second step's walk reads page 7's generation
      },
      canWalk: () => true,
      spent: () => false,
    };
    lv.beginAging(0);
    while (lv.ageStep(r)) {
      /* next MAX_LRU_BATCH ids */
    }
    expect(seen).toEqual([2]); // promoted to max_seq 2 in the first step (control, no flush between steps: still 1)
  });

  /**
   * Two agents (workers) on one shared lruvec: A's walk finds page 0 young (clearing its accessed bit) and
   * promotes it; B's reclaim runs meanwhile, lru_lock being free during the walk. In the kernel
   * folio_update_gen has moved page 0's generation at once, so B's sort_folio moves it instead of
   * evicting it. Negative control (run for this commit): the walk's promotions deferred to the step's
   * end (walkPromoter.promote = lockedPromoter.promote, as s9-w2 had it): B evicts page 0, and the
   * deferred promotion then lands on the refaulted folio and clears its refault protection.
   */
  it("another worker's reclaim during a walk step does not evict a page the walk has just promoted", () => {
    const N = 16;
    const { A, B } = twoAgents(N);
    const noWalk: Reclaimer = {
      t: 0,
      referenced: () => false,
      walk: () => {},
      canWalk: () => false,
      spent: () => false,
    };
    for (let i = 0; i < 2; i++) {
      A.beginAging(0);
      while (A.ageStep(noWalk)) {
        /* no walk */
      }
    }
    let held = 0;
    const fake = { lock: () => void held++, unlock: () => void held-- };
    A.setLruLock(fake);
    B.setLruLock(fake);
    const rB: Reclaimer = { t: 1, referenced: () => false, walk: () => {}, canWalk: () => true, spent: () => false };
    const victims: number[] = [];
    const rA: Reclaimer = {
      t: 1,
      referenced: () => false,
      canWalk: () => true,
      spent: () => false,
      walk: (start: number, _end: number, p: Promoter) => {
        if (start !== 0) return;
        p.promote(0); // walk_pte_range found page 0 young
        victims.push(B.pickVictim(rB, false)); // the other worker's reclaim, lru_lock free meanwhile
      },
    };
    A.beginAging(1);
    while (A.ageStep(rA)) {
      /* one step */
    }
    expect(victims).toHaveLength(1);
    expect(victims[0]).toBeGreaterThanOrEqual(0);
    expect(victims[0]).not.toBe(0); // control (promotion deferred to the step's end): 0
    expect(held).toBe(0);
  });

  /**
   * kswapd checks wantsAging, then starts the pass; a direct reclaimer on the other worker may start
   * and walk (unlocked) in between. LockedLruvec.beginAging re-checks in the one hold, as try_to_inc_max_seq does,
   * so kswapd does not start a second walk over the first. Negative control (run for this commit):
   * kswapd calling beginAging after its earlier check (the old Kswapd.run) restarts the walk: steps at
   * [0, 4096, 0, 4096, 8192, ...] and one more pass counted than passes started at id 0.
   */
  it('kswapd cannot start a second pass over a walk another worker began after its check', () => {
    const N = 2 * MAX_LRU_BATCH + 10;
    const { A, B, stats } = twoAgents(N);
    const v = createArena({ tablePages: 4, maxThreads: 4, maxLocks: 1 });
    const kswapdLv = new LockedLruvec(A, attachMmuLock(v, 0));
    const directLv = new LockedLruvec(B, attachMmuLock(v, 0));
    expect(kswapdLv.wantsAging(0)).toBe(true); // kswapd's check (Kswapd.run's wantsAging)
    const walked: number[] = [];
    const began: boolean[] = [];
    const rB: Reclaimer = {
      t: 0,
      referenced: () => false,
      canWalk: () => true,
      spent: () => false,
      walk: (start: number) => {
        walked.push(start);
        if (start === MAX_LRU_BATCH && began.length === 0) began.push(kswapdLv.beginAging(0)); // kswapd starts now
      },
    };
    directLv.pickVictim(rB, true); // the direct reclaimer needs a generation: it walks inline, unlocked
    expect(began).toEqual([false]);
    // The pass runs its three steps undisturbed (control: [0, 4096, 0, 4096, 8192]). The direct
    // reclaimer then walks a second pass (all pages still in two generations: MIN_NR_GENS), so every
    // pass starts at id 0 and is counted once.
    expect(walked.slice(0, 3)).toEqual([0, MAX_LRU_BATCH, 2 * MAX_LRU_BATCH]);
    expect(stats[GS_AGING_PASSES]).toBe(walked.filter((s) => s === 0).length);
  });
});
