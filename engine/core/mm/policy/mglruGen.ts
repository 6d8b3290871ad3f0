/**
 * MGLRU's generations over one lruvec: the lab's lrugen (struct lru_gen_folio, include/linux/mmzone.h 6.6;
 * lru_gen_struct in 6.1: max_seq, min_seq, the lists folios[gen] and nr_pages[gen]) and the helpers
 * include/linux/mm_inline.h keeps for it (6.1-6.6): lru_gen_from_seq (head), folio_lru_gen (seqOf),
 * lru_gen_add_folio (addActive, activate) with lru_gen_update_size (the nrPages and total counts each of
 * them keeps). Pages are host-wide ids (mm/pgdat.ts).
 *
 * - Generations are sequence numbers minSeq..maxSeq (at most MAX_NR_GENS live, at least
 *   MIN_NR_GENS); each is a list (head = headBase + seq % MAX_NR_GENS) with its page count
 *   (lrugen->nr_pages). tag[id] = the page's seq.
 * - A page faulted in joins the youngest generation, maxSeq, at its head (onMap). KVM's stage-2 fault
 *   reaches the host page through GUP (user_mem_abort -> __kvm_faultin_pfn -> hva_to_pfn ->
 *   handle_mm_fault), and handle_mm_fault sets current->in_lru_fault (lru_gen_enter_fault; guest RAM is
 *   an ordinary anonymous VMA, no VM_SEQ_READ/VM_RAND_READ). folio_add_lru (mm/swap.c, 6.1-6.6) then
 *   sets PG_active ("lru_gen_enabled() && !folio_test_unevictable(folio) && lru_gen_in_fault() &&
 *   !(current->flags & PF_MEMALLOC)"; a vCPU thread is not PF_MEMALLOC), and lru_gen_add_folio
 *   (include/linux/mm_inline.h, 6.1-6.6) puts an active folio at lrugen->max_seq before it tests
 *   anything else (list_add: the head). This holds for both kinds of fault the lab has: a first touch
 *   (do_anonymous_page) and a swap-in (do_swap_page: whether the folio is in the swap cache or not,
 *   the swap-cache test comes after the active one). Direct reclaim's and kswapd's own allocations are
 *   not faults, but they add no folios here.
 *
 * Contract: MglruGens is the base of Mglru (mglru.ts), which adds aging (mglruAging.ts), eviction
 * (mglruEvict.ts) and the policy entry points; refault tiers are plain functions (mglruRefault.ts). It is
 * abstract and Mglru is the only class instantiated, so every `this` call site of the chain sees one
 * hidden class (monomorphic, as the one class was). Its words live in `state` (MGLRU_WORDS doubles, the
 * layout below), its lists in `list` from `headBase`, per page `tag` and `folioFlags`: all used under
 * the lruvec's lock (one agent, or lru_lock in a spread run: mm/sharedLru.ts).
 */
import type { DList } from '../../sim/dlist.ts';
import type { AgingGate } from './agingGate.ts';
import type { LruLock } from './policy.ts';
import { BloomFilters } from './bloomFilter.ts';

import {
  FILTER_BITS,
  GEN_MASK,
  MAX_NR_GENS,
  MAX_SEQ,
  MGLRU_WORDS,
  MIN_NR_GENS,
  MIN_SEQ,
  NR_PAGES,
  AGING_CURSOR,
  TOTAL,
  CTRL_WORDS,
} from './mglruConsts.ts';
import { resetCtrlPos, type CtrlWords } from './mglruRefault.ts';

// The constants live in mglruConsts.ts (no imports, so the bundler inlines them); re-exported for importers.
export {
  AGING_CURSOR,
  FILTER_BITS,
  GEN_MASK,
  MAX_LRU_BATCH,
  MAX_NR_GENS,
  MAX_SEQ,
  MGLRU_WORDS,
  MIN_NR_GENS,
  MIN_SEQ,
  NR_PAGES,
  TOTAL,
  WALK_SEQ,
} from './mglruConsts.ts';
if ((MAX_NR_GENS & GEN_MASK) !== 0) throw new Error('mglru: MAX_NR_GENS must be a power of two');

export abstract class MglruGens {
  /** Pages per generation, index seq % MAX_NR_GENS (lrugen->nr_pages): a view of `state`. */
  protected readonly nrPages: Float64Array;

  constructor(
    protected readonly list: DList,
    /** seq & 0xffff (16 bits: live generations span at most a few sequence numbers). */
    protected readonly tag: Int16Array,
    /** Ids [first, end) belong to this lruvec. */
    protected readonly first: number,
    protected readonly end: number,
    protected readonly headBase: number,
    protected readonly stats: Float64Array,
    protected readonly sb: number,
    protected readonly gate: AgingGate,
    /**
     * minSeq, maxSeq, the aging cursor, the page count, nrPages and the walked seq (MGLRU_WORDS doubles): a local array
     * or a spread run's shared lruvec state, used under the lruvec's lock (mm/sharedLru.ts).
     */
    protected readonly state: Float64Array = new Float64Array(MGLRU_WORDS),
    /** False: lists and state were initialised already (a shared lruvec attached by another worker). */
    fresh = true,
    /**
     * Per page id (host-wide, like `tag`): the folio's LRU_REFS bits and PG_workingset (FOLIO_REFS_MASK,
     * FOLIO_WORKINGSET) while it is on the LRU, FOLIO_SHADOW after its eviction. A spread run's is shared.
     */
    protected readonly folioFlags: Uint8Array = new Uint8Array(end),
    /**
     * The two Bloom filters' bits over the node's PTE-table keys (Pgdat.pmdKey): 2 x keys bytes, a spread
     * run's shared. Empty: no keys (a test's lruvec without a walk that asks for them).
     */
    filterBits: Uint8Array = new Uint8Array(0),
    /** A spread run's shared controller counters (CTRL_WORDS, zero when fresh); null: this object's own. */
    sharedCtrl: Int32Array | null = null,
  ) {
    this.ctrl = sharedCtrl ?? new Float64Array(CTRL_WORDS);
    // A shared lruvec gives LRUVEC_POLICY_WORDS (mm/sharedLru.ts); a state word added here must fit it.
    if (state.length < MGLRU_WORDS) throw new Error(`MGLRU state needs ${MGLRU_WORDS} words, got ${state.length}`);
    this.nrPages = state.subarray(NR_PAGES, NR_PAGES + MAX_NR_GENS);
    this.filters = new BloomFilters(filterBits, state, FILTER_BITS);
    if (!fresh) return;
    state.fill(0, 0, MGLRU_WORDS);
    state[MAX_SEQ] = MIN_NR_GENS - 1;
    this.filters.init();
    for (let i = 0; i < MAX_NR_GENS; i++) list.init(headBase + i);
  }

  /** mm_state's Bloom filters (walk_pmd_range's test and update, lru_gen_look_around's update). */
  protected readonly filters: BloomFilters;

  /**
   * Spread runs: the shared lruvec's lru_lock (mm/sharedLru.ts). pickVictim then holds it only around
   * the list operations, as evict_folios does: isolate_folios takes the folio off the LRU under lru_lock,
   * folio_referenced (with look-around) runs without it, and a young folio is put back on the youngest
   * generation under it again. Null (every other run): the one-agent pickVictim (mglruEvict.ts).
   */
  protected lruLock: LruLock | null = null;

  /**
   * The PID controller's counters for the anon type (CTRL_* in mglruConsts.ts; struct lru_gen_folio's
   * refaulted, evicted, protected, avg_refaulted, avg_total, 6.1-6.6), read by get_tier_idx (getTierIdx,
   * mglruRefault.ts). Local to this object; in a spread run the shared lruvec's (`sharedCtrl`, an Int32Array:
   * the evicted count is added without lru_lock there, mglruEvict.ts countEvicted), since its folios carry
   * the fault's folio_inc_refs marks too (kvm/userMemAbort.ts, mm/lruAdd.ts) and every worker's eviction
   * reads one lruvec's controller, as in the kernel.
   */
  protected readonly ctrl: CtrlWords;
  /**
   * get_tier_idx's answer for the current eviction call, capped at the highest tier sort_folio compares it with
   * (tierIdxUpTo, mglruRefault.ts; -1: not read yet; pickVictim clears it).
   */
  protected tierIdx = -1;

  /** reset_ctrl_pos(lruvec, LRU_GEN_ANON, true): min_seq moves (inc_min_seq, try_to_inc_min_seq). */
  protected resetCtrlPos(): void {
    resetCtrlPos(this.ctrl);
    this.tierIdx = -1;
  }

  protected get minSeq(): number {
    return this.state[MIN_SEQ];
  }

  protected set minSeq(v: number) {
    this.state[MIN_SEQ] = v;
  }

  protected get maxSeq(): number {
    return this.state[MAX_SEQ];
  }

  protected set maxSeq(v: number) {
    this.state[MAX_SEQ] = v;
  }

  protected get agingCursor(): number {
    return this.state[AGING_CURSOR];
  }

  protected set agingCursor(v: number) {
    this.state[AGING_CURSOR] = v;
  }

  protected get total(): number {
    return this.state[TOTAL];
  }

  protected set total(v: number) {
    this.state[TOTAL] = v;
  }

  protected head(seq: number): number {
    return this.headBase + (seq & GEN_MASK);
  }

  /** lru_gen_add_folio of an active folio (a fault's, or move_folios_to_lru's put-back): max_seq's head. */
  protected addActive(id: number): void {
    const seq = this.maxSeq;
    this.list.insertHead(this.head(seq), id);
    this.tag[id] = seq;
    this.nrPages[seq & GEN_MASK]++;
    this.total++;
  }

  /**
   * The page's generation. The tag holds the low 16 bits of the seq; the seq is the one at most 0xffff
   * below maxSeq. A tag below minSeq (left by a retired generation) means minSeq.
   */
  protected seqOf(id: number): number {
    const tagged = this.maxSeq - ((this.maxSeq - this.tag[id]) & 0xffff);
    return tagged < this.minSeq ? this.minSeq : tagged;
  }

  /**
   * folio_activate / activate_locked: the page moves to the head of the youngest generation now. A page
   * whose generation is maxSeq already is left where it is: lru_gen_look_around without an mm_walk
   * activates only when folio_lru_gen() != new_gen (6.6), and the gen bits it reads are the lazily
   * updated ones.
   */
  activate(id: number): void {
    // Spread runs: a page another reclaimer isolated is on no list (its PG_lru is clear in the kernel).
    if (this.lruLock !== null && !this.list.linked(id)) return;
    const seq = this.seqOf(id);
    if (seq === this.maxSeq) return;
    this.list.moveToHead(this.head(this.maxSeq), id);
    this.tag[id] = this.maxSeq;
    this.nrPages[seq & GEN_MASK]--;
    this.nrPages[this.maxSeq & GEN_MASK]++;
  }

  /**
   * NR_INACTIVE_ANON under MGLRU (LruGenScan.inactiveGens): lru_gen_update_size counts a folio active while
   * its generation is max_seq or max_seq - 1 (lru_gen_is_active); inc_max_seq moves max_seq - 1's pages
   * to the inactive count.
   */
  inactiveGens(): number {
    let n = 0;
    for (let s = this.minSeq; s < this.maxSeq - 1; s++) n += this.nrPages[s & GEN_MASK];
    return n;
  }

  protected isEmpty(): boolean {
    for (let s = this.minSeq; s <= this.maxSeq; s++) if (!this.list.isEmpty(this.head(s))) return false;
    return true;
  }
}
