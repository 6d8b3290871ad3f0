/**
 * MGLRU's tiers from folio_mark_accessed (mm/swap.c 6.1-6.6: with lru_gen_enabled() it is folio_inc_refs
 * and returns) and the PID controller that decides their protection (mm/vmscan.c get_tier_idx,
 * read_ctrl_pos, positive_ctrl_err, reset_ctrl_pos; sort_folio's `tier > tier_idx || refs ==
 * BIT(LRU_REFS_WIDTH)`), each pinned in a constructed case with hand-computed expectations.
 *
 * A stage-2 fault marks its page 1 + Guest.faultMarks times when the VMM PTE was not present (FOLL_TOUCH,
 * then kvm_set_pfn_accessed on arm64 and kvm_release_pfn_clean): arm64 3 marks -> refs 2, tier 2; x86 2
 * marks -> refs 1, tier 1; a pre-faulted page 2 (arm64, tier 1) or 1 (x86, tier 0).
 *
 * Negative controls (planted, each its own case): marks ignored (the lab before this change), and the
 * former protection rule (refs == BIT(LRU_REFS_WIDTH) only, no controller): both evict the marked folios
 * the controller protects.
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import {
  CTRL_AVG_REFAULTED,
  CTRL_AVG_TOTAL,
  CTRL_EVICTED,
  CTRL_PROTECTED,
  CTRL_REFAULTED,
  CTRL_WORDS,
  FOLIO_PG_REFERENCED,
  FOLIO_REFS_MASK,
  FOLIO_SHADOW,
  FOLIO_WORKINGSET,
  MIN_SEQ,
} from '../../engine/core/mm/policy/mglruConsts.ts';
import { MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import {
  folioIncRefs,
  folioLruRefs,
  getTierIdx,
  lruGenEviction,
  lruGenRefault,
  lruTierFromRefs,
  refaultProtected,
  resetCtrlPos,
  folioIncRefsN,
  tierIdxUpTo,
} from '../../engine/core/mm/policy/mglruRefault.ts';
import type { Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { faultinMarks } from '../../engine/core/kvm/faultinMarks.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

interface MglruInside {
  ctrl: Float64Array;
  folioFlags: Uint8Array;
  tag: Int16Array;
  state: Float64Array;
  incMaxSeq(): void;
  protectedRefs(id: number): boolean;
}

function make(n: number): { m: Mglru; inside: MglruInside } {
  const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
  const m = new Mglru(list, new Int16Array(n), 0, n, n, new Float64Array(GS_WORDS), 0, new AgingGate(0));
  return { m, inside: m as unknown as MglruInside };
}

/** folio_referenced is never young, the walk finds nothing young. */
const cold: Reclaimer = { t: 0, referenced: () => false, walk: () => {}, canWalk: () => true, spent: () => false };

describe('folio_inc_refs: tiers after n marks (mm/swap.c, include/linux/mm_inline.h 6.1-6.6)', () => {
  it('PG_referenced, then PG_workingset, then LRU_REFS + 1 up to LRU_REFS_MASK', () => {
    const f = new Uint8Array(1);
    const refs: number[] = [];
    const tiers: number[] = [];
    for (let n = 1; n <= 6; n++) {
      folioIncRefs(f, 0);
      refs.push(folioLruRefs(f[0]));
      tiers.push(lruTierFromRefs(folioLruRefs(f[0])));
    }
    // 1 mark: PG_referenced only (not counted); 2: +workingset; 3, 4: LRU_REFS 1, 2; 5: 3 (saturated).
    expect(refs).toEqual([0, 1, 2, 3, 4, 4]);
    // order_base_2(refs + 1): 0, 1, 2, 2, 3.
    expect(tiers).toEqual([0, 1, 2, 2, 3, 3]);
    expect(f[0]).toBe(FOLIO_PG_REFERENCED | FOLIO_WORKINGSET | FOLIO_REFS_MASK);
    // A shadow (no folio) is left alone.
    const s = new Uint8Array([FOLIO_SHADOW]);
    folioIncRefs(s, 0);
    expect(s[0]).toBe(FOLIO_SHADOW);
  });
});

describe("the stage-2 fault's marks under MGLRU (kvm/faultinMarks.ts)", () => {
  // GUP-fast's folio_set_referenced (a pre-faulted page) is folio_inc_refs' first step, so the release's
  // marks go one step further: arm64 (2 marks) refs 2, tier 2; x86 (1 mark) refs 1, tier 1. A page whose
  // VMM PTE was absent takes slow GUP's FOLL_TOUCH mark instead, to the same refs. Control (run by hand):
  // without Mglru.setReferenced the pre-faulted cases give refs 1 / 0.
  it('pre-faulted (GUP-fast) and first-touch (FOLL_TOUCH) faults reach the same refs on each architecture', () => {
    const { m, inside } = make(4);
    for (let id = 0; id < 4; id++) m.onMap(id);
    faultinMarks(m, 0, true, 2); // arm64, pre-faulted
    faultinMarks(m, 1, false, 2); // arm64, first touch
    faultinMarks(m, 2, true, 1); // x86, pre-faulted
    faultinMarks(m, 3, false, 1); // x86, first touch
    const refs = [0, 1, 2, 3].map((id) => folioLruRefs(inside.folioFlags[id]));
    expect(refs).toEqual([2, 2, 1, 1]);
    expect(refs.map(lruTierFromRefs)).toEqual([2, 2, 1, 1]);
  });
});

describe('the PID controller (get_tier_idx, positive_ctrl_err, reset_ctrl_pos; mm/vmscan.c 6.1-6.6)', () => {
  it('tier_idx: the first tier refaulting more than twice as often as tier 0, minus one', () => {
    const c = new Float64Array(CTRL_WORDS);
    expect(getTierIdx(c)).toBe(3); // no refaults anywhere: every PV positive
    // Tier 0: 10 of 1,000; tier 1: 100 of 100. 100 * (1000 + 64) * 1 = 106,400 > (10 + 1) * 100 * 2 = 2,200.
    c[CTRL_REFAULTED] = 10;
    c[CTRL_EVICTED] = 1000;
    c[CTRL_REFAULTED + 1] = 100;
    c[CTRL_EVICTED + 1] = 100;
    expect(getTierIdx(c)).toBe(0);
    // Fewer than MIN_LRU_BATCH (64) refaults: positive whatever the ratio.
    c[CTRL_REFAULTED + 1] = 63;
    expect(getTierIdx(c)).toBe(3);
    // Tier 1 at 64 of 10,000: 64 * 1064 = 68,096 <= 11 * 10,000 * 2 = 220,000 (positive); tier 2 at 100 of
    // 100 is not: the index is 1.
    c[CTRL_REFAULTED + 1] = 64;
    c[CTRL_EVICTED + 1] = 10000;
    c[CTRL_REFAULTED + 2] = 100;
    c[CTRL_EVICTED + 2] = 100;
    expect(getTierIdx(c)).toBe(1);
    // protected[tier - 1] counts in the tier's total: tier 2 at 100 of 100 + 100,000 protected is positive.
    c[CTRL_PROTECTED + 1] = 100000;
    expect(getTierIdx(c)).toBe(3);
  });

  it('tierIdxUpTo(ctrl, L) is min(get_tier_idx, L): the same answer to `tier > tier_idx` for every tier <= L', () => {
    // Hand-computed: tiers 1 and 2 positive (no refaults), tier 3 at 100 of 100 is not: get_tier_idx 2.
    const c = new Float64Array(CTRL_WORDS);
    c[CTRL_REFAULTED] = 10;
    c[CTRL_EVICTED] = 1000;
    c[CTRL_REFAULTED + 3] = 100;
    c[CTRL_EVICTED + 3] = 100;
    expect(getTierIdx(c)).toBe(2);
    expect(tierIdxUpTo(c, 2)).toBe(2);
    expect(tierIdxUpTo(c, 1)).toBe(1);
    // Every PV positive: get_tier_idx 3, capped at 2 (sort_folio's tiers 1 and 2 are not protected either way).
    c[CTRL_REFAULTED + 3] = 0;
    expect(getTierIdx(c)).toBe(3);
    expect(tierIdxUpTo(c, 2)).toBe(2);
    // Random counters (a fixed LCG): the cap and the comparisons sort_folio makes for refs 1..3 (tiers 1, 2).
    // Negative control: `tier < maxTier` in tierIdxUpTo's loop fails the hand-computed cases above and here.
    let x = 12345;
    const next = (m: number): number => {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      return (x >>> 8) % m;
    };
    for (let i = 0; i < 2000; i++) {
      for (let w = 0; w < CTRL_WORDS; w++) c[w] = next(4) === 0 ? 0 : next(i % 2 === 0 ? 200 : 5000);
      const idx = getTierIdx(c);
      for (const L of [1, 2, 3]) expect(tierIdxUpTo(c, L)).toBe(Math.min(idx, L));
      const capped = tierIdxUpTo(c, 2);
      for (const tier of [1, 2]) expect(tier > capped).toBe(tier > idx);
    }
  });

  it('reset_ctrl_pos(carryover): averages halve with the period added, the period is cleared', () => {
    const c = new Float64Array(CTRL_WORDS);
    c[CTRL_AVG_REFAULTED + 1] = 10;
    c[CTRL_REFAULTED + 1] = 101;
    c[CTRL_AVG_TOTAL + 1] = 3;
    c[CTRL_EVICTED + 1] = 7;
    c[CTRL_PROTECTED] = 4; // protected[tier 1 - 1]
    c[CTRL_EVICTED] = 9; // tier 0 has no protected term
    resetCtrlPos(c);
    expect(c[CTRL_AVG_REFAULTED + 1]).toBe(55); // (10 + 101) / 2
    expect(c[CTRL_AVG_TOTAL + 1]).toBe(7); // (3 + 7 + 4) / 2
    expect(c[CTRL_AVG_TOTAL]).toBe(4); // (0 + 9) / 2
    expect([c[CTRL_REFAULTED + 1], c[CTRL_EVICTED + 1], c[CTRL_PROTECTED], c[CTRL_EVICTED]]).toEqual([0, 0, 0, 0]);
  });
});

/**
 * Four faulted folios: 0 marked 3 times (tier 2), 1 twice (tier 1), 2 once (tier 0), 3 never. Two new
 * generations put them in the oldest; the controller's averages are planted (they survive the resets the
 * generations bring, halved). Returns the first two victims and the counters after them.
 */
function evictCase(
  avg: Array<[tier: number, refaulted: number, total: number]>,
  plant?: (m: Mglru, inside: MglruInside) => void,
): { victims: number[]; ctrl: number[] } {
  const { m, inside } = make(4);
  for (let id = 0; id < 4; id++) m.onMap(id);
  plant?.(m, inside);
  const marks = [3, 2, 1, 0];
  for (let id = 0; id < 4; id++) for (let k = 0; k < marks[id]; k++) m.markAccessed(id);
  inside.incMaxSeq();
  inside.incMaxSeq();
  for (const [tier, r, t] of avg) {
    inside.ctrl[CTRL_AVG_REFAULTED + tier] = r;
    inside.ctrl[CTRL_AVG_TOTAL + tier] = t;
  }
  const victims = [m.pickVictim(cold, true), m.pickVictim(cold, true)];
  return { victims, ctrl: Array.from(inside.ctrl.subarray(0, 3 * 4)) };
}

// Tier 0 refaults rarely (0 of 100,000), tier 1 often (4,000 of 4,000): tier_idx 0, halved or not.
const TIER1_HOT: Array<[number, number, number]> = [
  [0, 0, 100000],
  [1, 4000, 4000],
];
// Tier 1 quiet, tier 2 hot: tier_idx 1.
const TIER2_HOT: Array<[number, number, number]> = [
  [0, 0, 100000],
  [2, 4000, 4000],
];

describe('sort_folio protects marked folios by tier (mm/vmscan.c 6.1.69+ / 6.6.8+)', () => {
  it('no refaults: tier_idx 3, nothing protected, eviction in list order', () => {
    const r = evictCase([]);
    expect(r.victims).toEqual([0, 1]);
    // evicted[tier] with isolate_folio's refs: folio 0 kept LRU_REFS (PG_referenced set) -> refs 2, tier 2;
    // folio 1 (PG_referenced + workingset) -> refs 1, tier 1.
    expect(r.ctrl.slice(CTRL_EVICTED, CTRL_EVICTED + 4)).toEqual([0, 1, 1, 0]);
  });

  it('tier 1 hot: tier_idx 0, folios 0 (tier 2) and 1 (tier 1) protected once, 2 and 3 evicted', () => {
    const r = evictCase(TIER1_HOT);
    expect(r.victims).toEqual([2, 3]);
    expect(r.ctrl.slice(CTRL_PROTECTED, CTRL_PROTECTED + 3)).toEqual([1, 1, 0]); // protected[tier - 1]
    expect(r.ctrl.slice(CTRL_EVICTED, CTRL_EVICTED + 4)).toEqual([2, 0, 0, 0]);
  });

  it('tier 2 hot: tier_idx 1, only folio 0 (tier 2) protected', () => {
    const r = evictCase(TIER2_HOT);
    expect(r.victims).toEqual([1, 2]);
    expect(r.ctrl.slice(CTRL_PROTECTED, CTRL_PROTECTED + 3)).toEqual([0, 1, 0]);
  });

  it('negative control (planted): marks ignored, nothing is protected', () => {
    const r = evictCase(TIER1_HOT, (m) => {
      m.markAccessed = () => {};
    });
    expect(r.victims).toEqual([0, 1]);
  });

  it('negative control (planted): the former rule (refs == BIT(LRU_REFS_WIDTH) only) ignores the tiers', () => {
    const r = evictCase(TIER1_HOT, (_m, inside) => {
      inside.protectedRefs = (id: number) => refaultProtected(inside.folioFlags, id);
    });
    expect(r.victims).toEqual([0, 1]);
  });

  it("a refault is counted in the tier its shadow's refs give (lru_gen_eviction -> lru_gen_refault)", () => {
    const { m, inside } = make(4);
    for (let id = 0; id < 4; id++) m.onMap(id);
    for (let k = 0; k < 3; k++) m.markAccessed(0);
    inside.incMaxSeq();
    inside.incMaxSeq();
    expect(m.pickVictim(cold, true)).toBe(0);
    expect(inside.folioFlags[0]).toBe(FOLIO_SHADOW | FOLIO_WORKINGSET | 1); // refs 2 in the shadow
    m.onMap(0); // min_seq unchanged: recent
    expect(inside.ctrl[CTRL_REFAULTED + 2]).toBe(1);
    expect(inside.folioFlags[0]).toBe(FOLIO_REFS_MASK | FOLIO_WORKINGSET); // refs 4
  });
});

/**
 * The fault's marks in one call (folioIncRefsN, Mglru.markAccessedN via kvm/faultinMarks.ts markOnMap) against
 * the reference: n successive folio_inc_refs, for every flag byte and n 0..8. Negative control (run by hand,
 * session 14): with the PG_workingset step skipped in folioIncRefsN, the test fails (flags 0x00, n 2).
 */
describe('folio_inc_refs n times in one call', () => {
  it('equals n successive folio_inc_refs for every flag byte', () => {
    const a = new Uint8Array(1);
    const b = new Uint8Array(1);
    for (let f = 0; f < 256; f++) {
      for (let n = 0; n <= 8; n++) {
        a[0] = f;
        b[0] = f;
        for (let k = 0; k < n; k++) folioIncRefs(a, 0);
        folioIncRefsN(b, 0, n);
        expect([f, n, b[0]]).toEqual([f, n, a[0]]);
      }
    }
  });
});

/**
 * Mglru.evicted and Mglru.onMap write lru_gen_eviction and lru_gen_refault out instead of calling
 * lruGenEviction / lruGenRefault (session 15 (d): the calls were not inlined on the trace replay's hot
 * path). The written-out copies against the functions, for every flag byte a folio can leave: the shadow's
 * tag and flags, then a recent refault (min_seq unchanged) and an old one (min_seq moved). Negative control
 * (run by hand, session 15 (d)): with FOLIO_WORKINGSET dropped from evicted's mask, the first expect fails
 * (flag byte 4, PG_workingset: shadow 0x80 against 0x84), and so does the refault count of another case.
 */
describe('lru_gen_eviction / lru_gen_refault as Mglru writes them out', () => {
  it('equal lruGenEviction and lruGenRefault for every flag byte, recent or not', () => {
    for (const moved of [false, true]) {
      for (let f = 0; f < FOLIO_SHADOW; f++) {
        const { m, inside } = make(4);
        for (let id = 0; id < 4; id++) m.onMap(id);
        inside.folioFlags[2] = f;
        const tag = inside.tag.slice();
        const flags = inside.folioFlags.slice();
        lruGenEviction(tag, flags, inside.state, 2);
        m.evicted(2);
        expect([f, inside.tag[2], inside.folioFlags[2]]).toEqual([f, tag[2], flags[2]]);
        if (moved) inside.state[MIN_SEQ]++; // the token's min_seq is no longer min_seq: not recent
        const want = lruGenRefault(inside.tag, inside.state, 2);
        const refaulted = inside.ctrl[CTRL_REFAULTED + lruTierFromRefs(folioLruRefs(flags[2]))];
        m.onMap(2);
        expect([f, moved, inside.folioFlags[2]]).toEqual([f, moved, want]);
        // A recent refault counts refaulted[tier] with the shadow's refs; an old one counts nothing.
        expect(inside.ctrl[CTRL_REFAULTED + lruTierFromRefs(folioLruRefs(flags[2]))]).toBe(refaulted + (moved ? 0 : 1));
      }
    }
  });
});
