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
 *   before touching the flags). Not modelled: the PID controller (get_tier_idx / positive_ctrl_err over
 *   refaulted / (evicted + protected) per tier). With the rule above it decides nothing here: a folio
 *   touched only through page tables has LRU_REFS 0 (tier 0, never protected, tier > tier_idx >= 0) or,
 *   after a recent refault, BIT(LRU_REFS_WIDTH), protected whatever tier_idx is. (Before those stable
 *   releases lru_gen_refault set only PG_workingset, tier 1, and the PID controller decided.) A readahead
 *   folio's refault is applied as the faulting folio's: __read_swap_cache_async (mm/swap_state.c) calls
 *   workingset_refault for its shadow in the fault's context, and onReadahead places it as onMap does.
 *
 * Contract: plain functions over the lruvec's typed arrays (mglruGen.ts): `tag` (the page's seq while it
 * is on the LRU, the shadow's min_seq after its eviction), `folioFlags` (the bits below) and `state`
 * (MIN_SEQ); callers hold the lruvec's lock, as for every other MGLRU change.
 */
import { FOLIO_REFS_MASK, FOLIO_SHADOW, FOLIO_WORKINGSET, LRU_REFS_WIDTH, MIN_SEQ } from './mglruConsts.ts';

// The folio bits live in mglruConsts.ts (no imports, so the bundler inlines them); re-exported for importers.
export { FOLIO_REFS_MASK, FOLIO_SHADOW, FOLIO_WORKINGSET } from './mglruConsts.ts';

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
  const f = folioFlags[id];
  return (f & FOLIO_REFS_MASK) + ((f & FOLIO_WORKINGSET) !== 0 ? 1 : 0) === 1 << LRU_REFS_WIDTH;
}

/**
 * lru_gen_eviction (workingset_eviction from __remove_mapping, as the folio is freed): the shadow's
 * token records min_seq, in the page's tag (free while the page is off the LRU). pickVictim calls it
 * for its victim; a victim that stays in the swap cache under writeback (SSD) is not freed yet: the
 * node clears the mark and calls this again when reclaim frees the written folio (Pgdat.endWriteback).
 */
export function lruGenEviction(tag: Int16Array, folioFlags: Uint8Array, state: Float64Array, id: number): void {
  tag[id] = state[MIN_SEQ];
  folioFlags[id] = FOLIO_SHADOW;
}
