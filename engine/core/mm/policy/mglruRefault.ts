/**
 * MGLRU's refault tiers, as far as the lab models them: the shadow an evicted folio leaves and what its
 * refault gets (mm/workingset.c lru_gen_eviction, lru_gen_test_recent, lru_gen_refault), and the test
 * sort_folio makes of it (folio_lru_refs, include/linux/mm_inline.h; LRU_REFS_WIDTH, LRU_REFS_MASK).
 *
 * - Refault protection (mm/workingset.c lru_gen_eviction / lru_gen_refault, mm/vmscan.c sort_folio,
 *   6.1.y from 6.1.69 and 6.6.y from 6.6.8, mainline 6.8: "mm/mglru: fix underprotected page cache",
 *   Cc: stable, Fixes the minimal implementation). An evicted folio leaves a shadow whose token holds
 *   min_seq when it is freed (lru_gen_eviction: at once for zram, when reclaim frees the written folio
 *   for SSD swap, see evicted); the lab keeps it in the page's tag (free while the page
 *   is not on the LRU) and marks it SHADOW in `folioFlags`. The swap-in of that page (do_swap_page ->
 *   workingset_refault -> lru_gen_refault, before folio_add_lru) is "recent" when min_seq has not moved
 *   since (lru_gen_test_recent: the token's seq equals min_seq); in a fault (lru_gen_in_fault(): the
 *   vCPU's GUP fault runs handle_mm_fault) the folio then gets PG_workingset and every LRU_REFS bit
 *   (set_mask_bits(LRU_REFS_MASK | BIT(PG_workingset))), so folio_lru_refs == BIT(LRU_REFS_WIDTH). When
 *   eviction meets such a folio unpromoted at the oldest tail, sort_folio's "protected" branch moves it
 *   to the tail of min_seq + 1 (folio_inc_gen, list_move_tail) instead of evicting it; folio_inc_gen
 *   clears LRU_REFS_MASK, PG_referenced and PG_workingset, so the protection is one generation, once per
 *   refault. inc_min_seq's folio_inc_gen clears them too (not for a folio promoted meanwhile: it returns
 *   before touching the flags). (Before those stable releases lru_gen_refault set only PG_workingset,
 *   tier 1, and the PID controller decided.) A readahead folio's refault is applied as the faulting folio's: __read_swap_cache_async (mm/swap_state.c) calls
 *   workingset_refault for its shadow in the fault's context, and onReadahead places it as onMap does.
 * - Tiers from folio_mark_accessed (session 14): with lru_gen_enabled() it is folio_inc_refs (mm/swap.c,
 *   6.1-6.6: PG_referenced, then PG_workingset, then LRU_REFS + 1 to LRU_REFS_MASK; folioIncRefs), and a
 *   stage-2 fault marks its page 1 + Guest.faultMarks times when the VMM PTE was not present (FOLL_TOUCH;
 *   arm64's kvm_set_pfn_accessed; kvm_release_pfn_clean): arm64 3 marks, refs 2, tier 2; x86 2 marks,
 *   refs 1, tier 1; a pre-faulted page 2 (tier 1) or 1 (tier 0). folio_lru_refs leaves PG_referenced out;
 *   lru_tier_from_refs is order_base_2(refs + 1). The refs last until folio_update_gen (promotion),
 *   folio_inc_gen (protection, inc_min_seq) or the put-back of a young folio clear them; isolate_folio
 *   keeps LRU_REFS only with PG_referenced set and clears PG_referenced. sort_folio protects `tier >
 *   tier_idx`, so the PID controller decides: get_tier_idx (getTierIdx) compares each tier's refaulted /
 *   (evicted + protected) with tier 0's (gains 1:2, MIN_LRU_BATCH floor, positive_ctrl_err) and returns the
 *   tier before the first that refaults more than twice as often; reset_ctrl_pos (resetCtrlPos) folds the
 *   period into the averages when min_seq moves. The counters (MglruGen.ctrl): evicted[tier] at the
 *   eviction (lru_gen_eviction's count; the lab counts where it decides the eviction, as an SSD victim's
 *   shadow is written again when its writeback ends, and that second shadow's refs are 0: the node drops
 *   the folio's flags meanwhile), refaulted[tier] of a recent refault with the refs the shadow kept
 *   (lru_gen_refault), protected[tier - 1] at sort_folio's protection. Spread runs take the same marks
 *   (through the lru_add batch, mm/lruAdd.ts) and keep the counters on the shared lruvec (mm/sharedLru.ts
 *   ctrl, session 15).
 *
 * Contract: plain functions over the lruvec's typed arrays (mglruGen.ts): `tag` (the page's seq while it
 * is on the LRU, the shadow's min_seq after its eviction), `folioFlags` (the bits below) and `state`
 * (MIN_SEQ); callers hold the lruvec's lock, as for every other MGLRU change.
 */
import {
  CTRL_AVG_REFAULTED,
  CTRL_AVG_TOTAL,
  CTRL_EVICTED,
  CTRL_PROTECTED,
  CTRL_REFAULTED,
  FOLIO_PG_REFERENCED,
  FOLIO_REFS_MASK,
  FOLIO_SHADOW,
  FOLIO_WORKINGSET,
  LRU_REFS_WIDTH,
  MAX_NR_TIERS,
  MIN_LRU_BATCH,
  MIN_SEQ,
} from './mglruConsts.ts';

// The folio bits live in mglruConsts.ts (no imports, so the bundler inlines them); re-exported for importers.
export { FOLIO_PG_REFERENCED, FOLIO_REFS_MASK, FOLIO_SHADOW, FOLIO_WORKINGSET } from './mglruConsts.ts';

/**
 * lru_gen_refault (mm/workingset.c, 6.1.69+ / 6.6.8+) for the page's shadow, in a fault: the new
 * folio's flags. Recent (lru_gen_test_recent: the token's min_seq is still min_seq, compared in the
 * tag's 16 bits as the kernel compares within EVICTION_MASK) -> PG_workingset and LRU_REFS_MASK;
 * otherwise none.
 */
export function lruGenRefault(tag: Int16Array, state: Float64Array, id: number): number {
  return (tag[id] & 0xffff) === (state[MIN_SEQ] & 0xffff) ? FOLIO_REFS_MASK | FOLIO_WORKINGSET : 0;
}

/** folio_lru_refs == BIT(LRU_REFS_WIDTH): sort_folio protects the folio whatever the tier index. */
export function refaultProtected(folioFlags: Uint8Array, id: number): boolean {
  return folioLruRefs(folioFlags[id]) === 1 << LRU_REFS_WIDTH;
}

/**
 * lru_gen_eviction (workingset_eviction from __remove_mapping, as the folio is freed): the shadow's
 * token records min_seq, in the page's tag (free while the page is off the LRU). pickVictim calls it
 * for its victim; a victim that stays in the swap cache under writeback (SSD) is not freed yet: the
 * node clears the mark and calls this again when reclaim frees the written folio (Pgdat.endWriteback).
 */
export function lruGenEviction(tag: Int16Array, folioFlags: Uint8Array, state: Float64Array, id: number): void {
  tag[id] = state[MIN_SEQ];
  // The token's refs (max(refs - 1, 0) and the workingset bit, which lru_gen_refault adds back to refs).
  folioFlags[id] = FOLIO_SHADOW | (folioFlags[id] & (FOLIO_REFS_MASK | FOLIO_WORKINGSET));
}

/** folio_lru_refs (include/linux/mm_inline.h, 6.1-6.6): LRU_REFS plus PG_workingset; PG_referenced not counted. */
export function folioLruRefs(f: number): number {
  return (f & FOLIO_REFS_MASK) + ((f & FOLIO_WORKINGSET) !== 0 ? 1 : 0);
}

/** lru_tier_from_refs (include/linux/mm_inline.h, 6.1-6.6): order_base_2(refs + 1), the bit length of refs. */
export function lruTierFromRefs(refs: number): number {
  return 32 - Math.clz32(refs);
}

/**
 * folio_inc_refs (mm/swap.c, 6.1-6.6), all folio_mark_accessed does when lru_gen_enabled(): PG_referenced
 * if clear, else PG_workingset if clear, else LRU_REFS + 1 up to LRU_REFS_MASK (no check of PG_lru in
 * these versions; 6.14's lru_gen_inc_refs adds one). So 1 mark leaves refs 0 (tier 0), 2 marks refs 1
 * (tier 1), 3 marks refs 2 (tier 2), 4 marks refs 3 (tier 2), 5 marks refs 4 == BIT(LRU_REFS_WIDTH).
 * A shadow's flags are lab bookkeeping for a page with no folio: left alone.
 */
export function folioIncRefs(folioFlags: Uint8Array, id: number): void {
  const f = folioFlags[id];
  if ((f & FOLIO_SHADOW) !== 0) return;
  if ((f & FOLIO_PG_REFERENCED) === 0) folioFlags[id] = f | FOLIO_PG_REFERENCED;
  else if ((f & FOLIO_WORKINGSET) === 0) folioFlags[id] = f | FOLIO_WORKINGSET;
  else if ((f & FOLIO_REFS_MASK) !== FOLIO_REFS_MASK) folioFlags[id] = f + 1;
}

/**
 * `n` successive folio_inc_refs (above) on one folio in one step, as the stage-2 fault's folio_mark_accessed
 * calls come (kvm/faultinMarks.ts markOnMap): each step is monotone, so the first mark sets PG_referenced if
 * clear, the next PG_workingset if clear, and the rest add to LRU_REFS, saturating at LRU_REFS_MASK.
 * Equal to the loop for every flag byte and n (test/sim/mglruTiers.test.ts); n >= 0.
 */
export function folioIncRefsN(folioFlags: Uint8Array, id: number, n: number): void {
  let f = folioFlags[id];
  if ((f & FOLIO_SHADOW) !== 0 || n === 0) return;
  if ((f & FOLIO_PG_REFERENCED) === 0) {
    f |= FOLIO_PG_REFERENCED;
    n--;
  }
  if (n !== 0 && (f & FOLIO_WORKINGSET) === 0) {
    f |= FOLIO_WORKINGSET;
    n--;
  }
  if (n !== 0) f += Math.min(n, FOLIO_REFS_MASK - (f & FOLIO_REFS_MASK));
  folioFlags[id] = f;
}

/**
 * The PID controller's counters (CTRL_* words): a worker's own Float64Array, or in a spread run the shared
 * lruvec's Int32Array (mm/sharedLru.ts ctrl; every value is an integer count or an integer half of one).
 */
export type CtrlWords = Float64Array | Int32Array;

/**
 * positive_ctrl_err (mm/vmscan.c, 6.1-6.6): the PV has fewer than MIN_LRU_BATCH refaults, or a
 * refaulted / total at most the SP's (weighed by the gains, with MIN_LRU_BATCH and 1 added as the kernel does).
 *
 * The comparison is made whatever pvR is (the kernel's `||` short-circuits; the answer is the same, the
 * products having no side effect): with the short-circuit, its operations first ran when a tier reached
 * MIN_LRU_BATCH refaults, after get_tier_idx and its callers up to pickVictim had been optimized without type
 * feedback for them, and each of the three was deoptimized and compiled again (--trace-deopt: "Insufficient
 * type feedback for binary operation"; session 15 (d): compilation is a fifth of the MGLRU trace replay's
 * worker instructions under callgrind).
 */
function positiveCtrlErr(spR: number, spT: number, spGain: number, pvR: number, pvT: number, pvGain: number): boolean {
  const atMost = pvR * (spT + MIN_LRU_BATCH) * spGain <= (spR + 1) * pvT * pvGain;
  return pvR < MIN_LRU_BATCH || atMost;
}

/**
 * get_tier_idx (mm/vmscan.c, 6.1-6.6) for the anon type: read_ctrl_pos of tier 0 as the SP (gain 1), then
 * of tiers 1..3 as the PV (gain 2; total = avg_total + evicted + protected[tier - 1]) until the first whose
 * error is not positive (it refaults more than twice as often as tier 0); returns that tier - 1. sort_folio
 * protects a folio whose tier is above it.
 */
export function getTierIdx(ctrl: CtrlWords): number {
  return tierIdxUpTo(ctrl, MAX_NR_TIERS - 1);
}

/**
 * min(getTierIdx(ctrl), maxTier), 1 <= maxTier < MAX_NR_TIERS: get_tier_idx's loop stopped after tier maxTier.
 * For a caller that only compares the index with tiers up to maxTier (`tier > tier_idx`, tier <= maxTier), the
 * answer is the same as get_tier_idx's: both are false when the index is maxTier or more, and equal below.
 * sort_folio's comparison reaches only tiers 1..LRU_REFS_WIDTH (refs 1..3; refs BIT(LRU_REFS_WIDTH), tier 3,
 * is protected before the index is read: MglruEviction.protectedRefs), so tier 3's read_ctrl_pos and
 * positive_ctrl_err are not needed there (~a third of the call's instructions when tiers 1 and 2 are positive;
 * callgrind of the MGLRU trace replay, session 16 (e)).
 */
export function tierIdxUpTo(ctrl: CtrlWords, maxTier: number): number {
  const spR = ctrl[CTRL_AVG_REFAULTED] + ctrl[CTRL_REFAULTED];
  const spT = ctrl[CTRL_AVG_TOTAL] + ctrl[CTRL_EVICTED];
  let tier = 1;
  for (; tier <= maxTier; tier++) {
    const pvR = ctrl[CTRL_AVG_REFAULTED + tier] + ctrl[CTRL_REFAULTED + tier];
    const pvT = ctrl[CTRL_AVG_TOTAL + tier] + ctrl[CTRL_EVICTED + tier] + ctrl[CTRL_PROTECTED + tier - 1];
    if (!positiveCtrlErr(spR, spT, 1, pvR, pvT, 2)) break;
  }
  return tier - 1;
}

/**
 * reset_ctrl_pos(lruvec, type, true) (mm/vmscan.c, 6.1-6.6), called by inc_min_seq and try_to_inc_min_seq
 * when min_seq moves: each tier's avg_refaulted and avg_total become the mean of the old average and the
 * period's counts (integer halves: unsigned long sum / 2), and, NR_HIST_GENS being 1, the period's
 * refaulted, evicted and protected are cleared. (reset_ctrl_pos(.., false) from inc_max_seq returns at once
 * with NR_HIST_GENS 1.)
 */
export function resetCtrlPos(ctrl: CtrlWords): void {
  for (let tier = 0; tier < MAX_NR_TIERS; tier++) {
    const prot = tier > 0 ? ctrl[CTRL_PROTECTED + tier - 1] : 0;
    ctrl[CTRL_AVG_REFAULTED + tier] = Math.floor((ctrl[CTRL_AVG_REFAULTED + tier] + ctrl[CTRL_REFAULTED + tier]) / 2);
    ctrl[CTRL_AVG_TOTAL + tier] = Math.floor((ctrl[CTRL_AVG_TOTAL + tier] + ctrl[CTRL_EVICTED + tier] + prot) / 2);
    ctrl[CTRL_REFAULTED + tier] = 0;
    ctrl[CTRL_EVICTED + tier] = 0;
    if (tier > 0) ctrl[CTRL_PROTECTED + tier - 1] = 0;
  }
}
