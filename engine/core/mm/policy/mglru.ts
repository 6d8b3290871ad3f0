/**
 * Multi-generation LRU over one lruvec (Linux mm/vmscan.c, lru_gen_*): the host's one lruvec holding
 * every guest's memory, or one guest's memcg. Pages are host-wide ids (mm/pgdat.ts).
 *
 * The multi-gen LRU is cut where the kernel keeps each part:
 * - mglruGen.ts: the generations, their lists and counts (struct lru_gen_folio; include/linux/mm_inline.h
 *   lru_gen_from_seq, folio_lru_gen, lru_gen_add_folio), and where a faulted page goes;
 * - mglruAging.ts: aging (mm/vmscan.c should_run_aging, try_to_inc_max_seq, walk_mm, inc_max_seq,
 *   inc_min_seq, folio_update_gen) and the walk's state;
 * - mglruEvict.ts: eviction (scan_folios, sort_folio, isolate_folio, evict_folios) and, in spread runs,
 *   its lru_lock holds with the deferred put-back and look-around operations;
 * - mglruRefault.ts: refault tiers (mm/workingset.c lru_gen_eviction, lru_gen_refault; LRU_REFS);
 * - this file: Mglru, the policy (policy.ts Policy, Promoter): faults and readahead join the youngest
 *   generation (onMap, onReadahead), the shadow at eviction (evicted), the sizes.
 * Each file's comment says what the kernel does there and which versions.
 */
import {
  CTRL_REFAULTED,
  FOLIO_PG_REFERENCED,
  FOLIO_REFS_MASK,
  FOLIO_SHADOW,
  FOLIO_WORKINGSET,
  MIN_SEQ,
} from './mglruConsts.ts';
import { folioIncRefs, folioIncRefsN, folioLruRefs, lruTierFromRefs } from './mglruRefault.ts';
import { MglruEviction } from './mglruEvict.ts';
import type { LruGenScan, Policy, Promoter } from './policy.ts';

export { MAX_LRU_BATCH, MAX_NR_GENS, MGLRU_WORDS, MIN_NR_GENS } from './mglruGen.ts';
export { FOLIO_PG_REFERENCED, FOLIO_REFS_MASK, FOLIO_SHADOW, FOLIO_WORKINGSET } from './mglruRefault.ts';

export class Mglru extends MglruEviction implements Policy, Promoter {
  readonly seesEveryAccess = false;

  /**
   * folio_add_lru in fault context: PG_active, so lru_gen_add_folio adds it at the head of max_seq.
   * A swap-in of a page this lruvec evicted first passes lru_gen_refault (do_swap_page calls
   * workingset_refault before folio_add_lru): see lruGenRefault (mglruRefault.ts). A recent one counts
   * refaulted[hist][type][tier] with the tier of the refs its shadow's token kept (lru_gen_refault).
   */
  onMap(id: number): void {
    const f = this.folioFlags[id];
    let flags = 0;
    // lruGenRefault written out (as in evicted): lru_gen_test_recent, the token's min_seq still min_seq.
    if ((f & FOLIO_SHADOW) !== 0 && (this.tag[id] & 0xffff) === (this.state[MIN_SEQ] & 0xffff)) {
      flags = FOLIO_REFS_MASK | FOLIO_WORKINGSET;
      this.ctrl[CTRL_REFAULTED + lruTierFromRefs(folioLruRefs(f))]++;
    }
    this.folioFlags[id] = flags;
    this.addActive(id);
  }

  /**
   * folio_mark_accessed (mm/swap.c, 6.1-6.6) with lru_gen_enabled(): folio_inc_refs and nothing else (no
   * activation, no list move). Callers: the stage-2 fault (kvm/faultinMarks.ts markOnMap: FOLL_TOUCH on
   * slow GUP, arm64's kvm_set_pfn_accessed, kvm_release_pfn_clean); in spread runs through the worker's
   * lru_add batch (mm/lruAdd.ts markAccessedN).
   */
  markAccessed(id: number): void {
    folioIncRefs(this.folioFlags, id);
  }

  /**
   * folio_set_referenced: GUP-fast's gup_pte_range (mm/gup.c, 6.1-6.4) on a page whose VMM PTE is present
   * (kvm/faultinMarks.ts). Under MGLRU PG_referenced is folio_inc_refs' first step, so the fault's marks
   * that follow go one step further (a pre-faulted folio on arm64: PG_referenced, then PG_workingset and
   * LRU_REFS 1 from the release's two marks: refs 2, tier 2). A shadow has no folio: left alone.
   */
  setReferenced(id: number): void {
    const f = this.folioFlags[id];
    if ((f & FOLIO_SHADOW) === 0) this.folioFlags[id] = f | FOLIO_PG_REFERENCED;
  }

  /** `n` folio_mark_accessed calls at once (the stage-2 fault's, markOnMap): n folio_inc_refs in closed form. */
  markAccessedN(id: number, n: number): void {
    folioIncRefsN(this.folioFlags, id, n);
  }

  /**
   * A swap-readahead folio joins max_seq, as the faulting one does (onMap). The lab's readahead runs only
   * inside a vCPU's stage-2 fault: user_mem_abort -> __gfn_to_pfn_memslot -> hva_to_pfn_slow -> GUP ->
   * handle_mm_fault, which brackets the fault with lru_gen_enter_fault / lru_gen_exit_fault
   * (current->in_lru_fault set for a VMA without VM_SEQ_READ / VM_RAND_READ: the memfd's). Inside it,
   * shmem_swapin_folio -> shmem_swapin_cluster -> swap_cluster_readahead -> __read_swap_cache_async adds
   * each window folio with folio_add_lru, and folio_add_lru (mm/swap.c, v6.1-v6.6) sets PG_active when
   * `lru_gen_enabled() && lru_gen_in_fault() && !(current->flags & PF_MEMALLOC)`; lru_gen_add_folio
   * (include/linux/mm_inline.h) then puts an active folio in max_seq. The MGLRU series says so ("Readahead
   * pages allocated in the page fault path will also be added to the youngest generation", "mm: multi-gen
   * LRU: activation", Yu Zhao). lru_gen_add_folio's non-active placements (min_seq or min_seq + 1, where
   * the lab put these folios before; later kernels' comment names "pages being read ahead") are for folios
   * added outside a fault.
   */
  onReadahead(id: number): void {
    this.onMap(id);
  }

  /**
   * lru_gen_eviction (workingset_eviction from __remove_mapping, as the folio is freed): the shadow's
   * token records min_seq, in the page's tag (free while the page is off the LRU). pickVictim calls it
   * for its victim; a victim that stays in the swap cache under writeback (SSD) is not freed yet: the
   * node clears the mark and calls this again when reclaim frees the written folio (Pgdat.endWriteback).
   */
  override evicted(id: number): void {
    // lruGenEviction's two stores, written out: the call was not inlined into pickVictim (its inlining
    // budget is spent on folio_referenced; callgrind of the MGLRU trace replay, session 15 (d): ~65
    // instructions a victim). test/sim/mglruTiers.test.ts keeps the two equal.
    const f = this.folioFlags;
    this.tag[id] = this.state[MIN_SEQ];
    f[id] = FOLIO_SHADOW | (f[id] & (FOLIO_REFS_MASK | FOLIO_WORKINGSET));
  }

  onAccess(): void {}

  size(): number {
    return this.total;
  }

  /** Policy.lruGenScan: this object's scan_folios counts (mglruEvict.ts) and inactiveGens (mglruGen.ts). */
  lruGenScan(): LruGenScan {
    return this;
  }

  /** MGLRU has no too_many_isolated check (evict_folios -> isolate_folios). */
  inactivePages(): number {
    return -1;
  }
}
