/**
 * MGLRU's refault protection (engine/core/mm/policy/mglruRefault.ts; sort_folio in mglruEvict.ts), as
 * 6.1.y (from 6.1.69), 6.6.y (from 6.6.8) and mainline (6.8) have it after "mm/mglru: fix underprotected
 * page cache":
 * - lru_gen_eviction (mm/workingset.c): the shadow's token holds min_seq at eviction;
 * - lru_gen_refault, from do_swap_page's workingset_refault before folio_add_lru: when the token's
 *   min_seq is still min_seq (lru_gen_test_recent) and the refault is in a fault, the folio gets every
 *   LRU_REFS bit and PG_workingset (folio_lru_refs == BIT(LRU_REFS_WIDTH));
 * - sort_folio, "protected": such a folio met unpromoted at the oldest tail goes to the tail of
 *   min_seq + 1 (folio_inc_gen clears the refs bits and PG_workingset: once per refault) and the next
 *   folio is considered instead;
 * - inc_min_seq's folio_inc_gen clears them too, except for a folio promoted meanwhile (it returns the
 *   promoted generation before touching the flags).
 * Each scenario is small enough to follow by hand; the expected orders are worked out in the comments.
 * Negative control: the same scenario with sort_folio's protected branch planted off (protectedRefs
 * always false, the model before this rule) gives the order written in the control's test.
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { FOLIO_REFS_MASK, FOLIO_SHADOW, FOLIO_WORKINGSET, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { Guest } from '../../engine/core/sim/guest.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { GS_WB_FAULTS, GS_WORDS } from '../../engine/core/sim/simLayout.ts';
import { scanSliceScenario } from './fixtures.ts';

const N = 16;
/** Every folio is old, the walk finds nothing: eviction order is list order alone. */
const never: Reclaimer = { t: 0, referenced: () => false, walk: () => {}, canWalk: () => true, spent: () => false };

interface Rig {
  m: Mglru;
  flags: Uint8Array;
  state: Float64Array;
  evict(): number;
}

function rig(protection = true): Rig {
  const list = new DList(new Int32Array(2 * (N + 4)), 0, N + 4);
  const tag = new Int16Array(N);
  const flags = new Uint8Array(N);
  const state = new Float64Array(16);
  const m = new Mglru(list, tag, 0, N, N, new Float64Array(GS_WORDS), 0, new AgingGate(0), state, true, flags);
  if (!protection) (m as unknown as { protectedRefs(id: number): boolean }).protectedRefs = () => false;
  return { m, flags, state, evict: () => m.pickVictim(never, true) };
}

const minSeq = (r: Rig): number => r.state[0];

describe('MGLRU refault protection (lru_gen_refault, sort_folio protected, folio_inc_gen)', () => {
  /**
   * Faults 0..7 join generation 1 (max_seq), 0 at the tail. The first eviction must age twice (two
   * generations left each time; generation 0 is empty and retired between): min_seq 1, max_seq 3; the
   * tail, 0, is evicted with shadow min_seq 1. 0 refaults at once (min_seq still 1: recent) into
   * generation 3, then 8 faults in after it (nearer the head). Evictions 1..7 drain generation 1; the
   * next pick ages past the empty generation 2 (min_seq 3, max_seq 5) and meets 0 at generation 3's
   * tail: protected, to generation 4's tail, flags cleared; 8 is evicted instead. The pick after that
   * (min_seq 4, max_seq 6) evicts 0: the protection was one generation.
   */
  const scenario = (r: Rig): number[] => {
    for (let id = 0; id < 8; id++) r.m.onMap(id);
    const out = [r.evict()];
    r.m.onMap(0);
    r.m.onMap(8);
    for (let i = 0; i < 9; i++) out.push(r.evict());
    return out;
  };

  it('a recent refault is protected once: evicted after a page faulted in after it', () => {
    const r = rig();
    for (let id = 0; id < 8; id++) r.m.onMap(id);
    expect(r.evict()).toBe(0);
    expect(minSeq(r)).toBe(1);
    expect(r.flags[0]).toBe(FOLIO_SHADOW);
    r.m.onMap(0);
    expect(r.flags[0]).toBe(FOLIO_REFS_MASK | FOLIO_WORKINGSET); // refs == BIT(LRU_REFS_WIDTH)
    r.m.onMap(8);
    const out: number[] = [];
    for (let i = 0; i < 9; i++) out.push(r.evict());
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0]);
    expect(r.flags[0]).toBe(FOLIO_SHADOW); // evicted again: a new shadow, min_seq 4
    expect(minSeq(r)).toBe(4);
  });

  it('negative control: without the protected branch the refaulted page goes first (fault order)', () => {
    expect(scenario(rig(false))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0, 8]);
    expect(scenario(rig(true))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 0]);
  });

  /**
   * 0..3 fault in; 0 is evicted at min_seq 1 (as above); 4 faults in (generation 3); 1..3 drain
   * generation 1; the next pick moves min_seq to 3 and evicts 4. 0 refaults now: its shadow's min_seq
   * (1) is not min_seq (3), so it is not recent and gets no flags; 5 faults in after it. The next pick
   * (min_seq 5 after two agings over empty generations) evicts 0 before 5: fault order.
   */
  it('a refault after min_seq moved on is not recent: no protection', () => {
    const r = rig();
    for (let id = 0; id < 4; id++) r.m.onMap(id);
    expect(r.evict()).toBe(0);
    r.m.onMap(4);
    expect([r.evict(), r.evict(), r.evict(), r.evict()]).toEqual([1, 2, 3, 4]);
    expect(minSeq(r)).toBe(3);
    r.m.onMap(0);
    expect(r.flags[0]).toBe(0);
    r.m.onMap(5);
    expect([r.evict(), r.evict()]).toEqual([0, 5]);
  });

  /**
   * inc_min_seq (a generation opened at MAX_NR_GENS folds the oldest): folio_inc_gen clears the refs
   * bits and PG_workingset of a folio it moves to min_seq + 1, but returns early for a folio that
   * folio_update_gen promoted meanwhile, which stays in its generation; folio_update_gen itself cleared
   * that folio's flags (mglruUpdateGenRefs.test.ts), so both end with none. With the gate closed (no walk),
   * each incMaxSeqNoWalk opens a generation: after the refault of 0 (generation 3, min_seq 1), two
   * openings fold generations 1 and 2; a third folds generation 3, where 0 is.
   */
  it.each([
    [false, 4],
    [true, 6],
  ])(
    'inc_min_seq moves a refaulted folio to min_seq + 1 and clears its flags unless it was promoted (promoted: %s)',
    (promoted, seq) => {
      const list = new DList(new Int32Array(2 * (N + 4)), 0, N + 4);
      const tag = new Int16Array(N);
      const f = new Uint8Array(N);
      const state = new Float64Array(16);
      const m = new Mglru(list, tag, 0, N, N, new Float64Array(GS_WORDS), 0, new AgingGate(0), state, true, f);
      for (let id = 0; id < 4; id++) m.onMap(id);
      expect(m.pickVictim(never, true)).toBe(0);
      m.onMap(0);
      expect(f[0]).toBe(FOLIO_REFS_MASK | FOLIO_WORKINGSET);
      const open = (): void => (m as unknown as { incMaxSeqNoWalk(): void }).incMaxSeqNoWalk();
      open(); // max_seq 4: four generations (1..4)
      open(); // folds 1 into 2: min_seq 2, max_seq 5
      open(); // folds 2 into 3: min_seq 3, max_seq 6
      if (promoted) m.promote(0); // folio_update_gen: 0 now belongs to generation 6
      open(); // folds 3 into 4: min_seq 4, max_seq 7
      expect(state[0]).toBe(4);
      expect(f[0]).toBe(0);
      expect((m as unknown as { seqOf(id: number): number }).seqOf(0)).toBe(seq);
    },
  );
});

/**
 * A victim that stays in the swap cache under writeback (SSD swap, Guest.evictOne) is not freed: the
 * kernel leaves its shadow only in __remove_mapping (workingset_eviction), when reclaim frees the written
 * folio; a fault that finds it in the swap cache meanwhile maps it without workingset_refault. Here
 * Pgdat clears the mark pickVictim left and calls Mglru.evicted when endWriteback frees the folio.
 */
describe('MGLRU shadows and swap-cache writeback (Pgdat.shrinkNode, Pgdat.endWriteback)', () => {
  it('the Mglru side: no shadow mark, no refault; evicted() leaves the shadow with the min_seq of the free', () => {
    const r = rig();
    for (let id = 0; id < 4; id++) r.m.onMap(id);
    expect(r.evict()).toBe(0);
    r.flags[0] = 0; // what Pgdat does for a victim left under writeback
    r.m.onMap(0); // the fault found it in the swap cache
    expect(r.flags[0]).toBe(0);
    expect(r.evict()).toBe(1);
    r.flags[1] = 0;
    r.m.evicted(1); // endWriteback freed it
    expect(r.flags[1]).toBe(FOLIO_SHADOW);
    r.m.onMap(1);
    expect(r.flags[1]).toBe(FOLIO_REFS_MASK | FOLIO_WORKINGSET); // min_seq unchanged since: recent
  });

  /**
   * The wiring, in a run with SSD swap where vCPUs fault on folios under writeback: at every onMap that
   * follows such a fault (GS_WB_FAULTS grew since the previous onMap: the written path counts it just
   * before it maps), the page carries no shadow mark; and every written folio reclaim freed left one
   * (Mglru.evicted right after Guest.freeWritten). Control, run by hand: without the clear in
   * Pgdat.shrinkNode the first check finds marked pages on that path (the test fails); without the
   * endWriteback call the second finds none.
   */
  it('faults on folios under writeback are not refaults; freed written folios leave a shadow', () => {
    // Uniform writes over 1024 pages on 768 frames: a page evicted is often touched again while its
    // write is in flight (seed 1: 25 writeback faults and 1,302 swap-outs in 50 ms).
    const cfg = scanSliceScenario({ name: 'wb', device: 'ssd', prefault: false, harvest: 'lockless' });
    cfg.guests[0].workload = { kind: 'uniform', pages: 1024, writeFraction: 1, thinkNs: 0 };
    cfg.run.durationMs = 50;
    const M = Mglru.prototype as unknown as Record<string, (...a: number[]) => unknown>;
    const G = Guest.prototype as unknown as Record<string, (...a: number[]) => unknown>;
    const onMap = M.onMap;
    const evicted = M.evicted;
    const freeWritten = G.freeWritten;
    let lastWb = 0;
    let wbMaps = 0;
    let marked = 0;
    let freed = 0;
    let shadowsAfterFree = 0;
    let freedId = -1;
    M.onMap = function (this: { stats: Float64Array; folioFlags: Uint8Array }, id: number) {
      let wb = 0;
      for (let k = 0; k * GS_WORDS < this.stats.length; k++) wb += this.stats[k * GS_WORDS + GS_WB_FAULTS];
      if (wb > lastWb) {
        wbMaps++;
        if ((this.folioFlags[id] & FOLIO_SHADOW) !== 0) marked++;
      }
      lastWb = wb;
      return onMap.call(this, id);
    };
    G.freeWritten = function (this: { idBase: number }, gfn: number) {
      freed++;
      freedId = this.idBase + gfn;
      return freeWritten.call(this, gfn);
    };
    M.evicted = function (this: { folioFlags: Uint8Array }, id: number) {
      const r = evicted.call(this, id);
      if (id === freedId && (this.folioFlags[id] & FOLIO_SHADOW) !== 0) shadowsAfterFree++;
      freedId = -1;
      return r;
    };
    try {
      runInProcess(cfg);
    } finally {
      M.onMap = onMap;
      M.evicted = evicted;
      G.freeWritten = freeWritten;
    }
    expect(wbMaps).toBeGreaterThan(0);
    expect(marked).toBe(0);
    expect(freed).toBeGreaterThan(0);
    expect(shadowsAfterFree).toBe(freed);
  });
});
