/**
 * MGLRU's aging (mm/vmscan.c 6.1-6.6, "the aging" section): should_run_aging (agingNeed, wantsAging),
 * try_to_inc_max_seq as a pass in steps (beginAging, ageStep, endAging; walk_mm over MAX_LRU_BATCH ids,
 * with the walk state: walk->max_seq in WALK_SEQ, the cursor, the Bloom filters), inc_max_seq,
 * inc_min_seq with folio_inc_gen, iterate_mm_list_nowalk (incMaxSeqNoWalk), and folio_update_gen
 * (promote), the lazy promotion of walk_pte_range and of kswapd's look-around.
 *
 * - Aging is reclaim-driven, never on a timer: should_run_aging decides. It must run when only
 *   MIN_NR_GENS generations are left (eviction cannot take from the two youngest, scan_folios), and
 *   kswapd also runs it at MIN_NR_GENS + 1 when the youngest generation holds more than 1/MIN_NR_GENS
 *   of the pages or the oldest less than 1/(MIN_NR_GENS + 2). kswapd runs a pass in steps; direct
 *   reclaim (try_to_inc_max_seq from get_nr_to_scan) runs it inline, only when it must. Versions: in
 *   6.1-6.2 kswapd ages from lru_gen_age_node -> age_lruvec before it evicts; from 6.3 ("mm: multi-gen
 *   LRU: remove aging fairness safeguard", also in later 6.1.y) lru_gen_age_node only checks min_ttl and
 *   kswapd ages from get_nr_to_scan like direct reclaim, skipped at sc->priority == DEF_PRIORITY (where a
 *   lruvec that must age returns 0 to scan). The lab has no scan priority. balance_pgdat lowers it
 *   (sc.priority--) when kswapd_shrink_node scanned fewer pages than nr_to_reclaim (the high watermark),
 *   and at DEF_PRIORITY MGLRU scans total >> DEF_PRIORITY (64 of seed-debate's 262,144 pages, against a
 *   high watermark of 7,864), so the lab's kswapd ages as 6.1-6.2's does, and 6.3+'s would one
 *   balance_pgdat iteration (one evict_folios batch, <= MIN_LRU_BATCH folios) later: an approximation.
 * - A pass (try_to_inc_max_seq, mm/vmscan.c 6.1-6.6): only where should_walk_mmu()
 *   (arch_has_hw_pte_young: hardware AF), walk_mm over every mm of the lruvec in steps of
 *   MAX_LRU_BATCH ids; the walk reaches the stage-2 only through the seed's kvm_arch_test_clear_young
 *   batches (Reclaimer.walk; without the fast path it reads only host PTEs, which guest accesses never
 *   make young: in every mode it finds young, once, the host PTE of each page faulted in since, which
 *   the fault installed young, mm/hostPte.ts). Young pages move to the current youngest generation (walk->max_seq = max_seq;
 *   walk_pte_range: new_gen = lru_gen_from_seq(walk->max_seq)); then, after the walk, inc_max_seq opens
 *   the next one (folding the oldest into the next at MAX_NR_GENS). So the pages the walk found young
 *   share the generation of the pages faulted since the last pass, and the new youngest generation
 *   starts empty. Without hardware AF the pass is iterate_mm_list_nowalk: a new generation, no walk.
 *   After the first (force_scan) pass the walk reads only the PTE tables the previous walk, or eviction's
 *   look-around since, found dense with young PTEs (the Bloom filters, bloomFilter.ts; Pgdat.walk asks
 *   walkPmd per table): a table it skips keeps its accessed bits and generations for eviction to read.
 *   The lab's pass opens no other generation while it walks: a reclaimer that needs a generation
 *   meanwhile gets no victim (pickVictim returns -1). "Meanwhile" is in virtual time: a direct
 *   reclaimer's pass runs inside one pickVictim call, and the gate keeps its inc_max_seq's time
 *   (endAging), so a reclaimer whose clock is before it still finds the walk under way and MIN_NR_GENS
 *   (gensAt), and sleeps until then as 6.1-6.3's wait_event_killable (mm/shrinkNode.ts mmWalkWait);
 *   during kswapd's pass in steps, whose end is not known yet, it sleeps on mm_state.wait until the
 *   last walker's inc_max_seq wakes it (6.1-6.3, ageStep -> Reclaimer.mmWalkDone; until session 15 the
 *   vCPU's fault retried every FRAME_RETRY_NS instead). mglruMmList.ts holds the wait, the further
 *   callers' joining of the pass (iterate_mm_list) and what 6.4+ changed. So walk_pte_range's
 *   walk->max_seq is still max_seq when the walk ends, and the pages it found young end in max_seq - 1. (Before, the lab opened no-walk generations
 *   meanwhile, which left the walked pages, their flags cleared, in what had become the oldest
 *   generation: test/sim/mglruWalkInProgress.test.ts.) A pass whose generation was opened meanwhile
 *   (only the agingIntervalMs what-if can: a no-walk generation while the gate is closed between passes
 *   does not overlap a walk) opens none at its end: the kernel's last walker calls inc_max_seq only for
 *   the max_seq it walked (try_to_inc_max_seq's VM_WARN_ON_ONCE(max_seq != lrugen->max_seq)).
 * - reclaim.agingIntervalMs (a what-if, 0 = off): passes start at least that far apart; eviction that
 *   needs a generation meanwhile gets one without a walk.
 *
 * Contract: the layer of Mglru (mglru.ts) over MglruMmList (mglruMmList.ts); MglruEviction (mglruEvict.ts)
 * supplies the spread runs' deferred operations (flushDeferred, walkPromoter), which ageStep applies in
 * the lru_lock holds it takes. Aging is reclaim-driven (agingGate.ts): wantsAging, then beginAging, then
 * ageStep until it returns false (Policy, policy.ts).
 */
import { GS_AGING_PASSES } from '../../sim/simLayout.ts';
import type { Promoter, Reclaimer } from './policy.ts';
import { AGING_MUST, AGING_NO, AGING_SHOULD } from './mglruConsts.ts';
import { MAX_LRU_BATCH, MAX_NR_GENS, MIN_NR_GENS, GEN_MASK, WALK_SEQ } from './mglruGen.ts';
import { MglruMmList } from './mglruMmList.ts';

export abstract class MglruAging extends MglruMmList {
  /** mglruEvict.ts: the deferred operations (spread runs; nothing otherwise), lru_lock held. */
  abstract flushDeferred(): void;
  /** mglruEvict.ts: the promoter of a walk step run without lru_lock (spread runs), else this. */
  protected abstract walkPromoter: Promoter;

  /** walk_pmd_range: whether the walk in progress visits PTE table `key` (test_bloom_filter). */
  walkPmd(key: number): boolean {
    return this.filters.test(key, this.state[WALK_SEQ]);
  }

  /** walk_pmd_range after walk_pte_range: a suitable table is carried over to the next walk. */
  walkedPmd(key: number, total: number, young: number): void {
    this.filters.walked(key, this.state[WALK_SEQ], total, young);
  }

  /** lru_gen_look_around's feedback: a dense window adds its table to the filter of max_seq's walk. */
  lookedAround(key: number, total: number, young: number): void {
    this.filters.lookedAround(key, this.maxSeq, total, young);
  }

  /**
   * folio_update_gen (lazy promotion): the page now belongs to the youngest generation, and is counted
   * there, but stays where it is on the lists until sort_folio or inc_min_seq moves it. Its LRU_REFS bits,
   * PG_referenced and PG_workingset are cleared, also when it is in the youngest generation already
   * (mm/vmscan.c 6.1-6.12: new_flags = old_flags & ~(LRU_GEN_MASK | LRU_REFS_MASK | LRU_REFS_FLAGS)
   * whatever the old generation): a recently refaulted folio that a walk or kswapd's look-around finds
   * young loses its refault protection (sort_folio's protected branch) for the promotion. (6.14's "mm/mglru:
   * rework workingset protection" sets PG_workingset here instead; not modelled.)
   */
  promote(id: number): void {
    // Spread runs: a page another reclaimer isolated is on no list (its PG_lru is clear in the kernel).
    if (this.lruLock !== null && !this.list.linked(id)) return;
    this.folioFlags[id] = 0;
    const seq = this.seqOf(id);
    if (seq === this.maxSeq) return;
    this.tag[id] = this.maxSeq;
    // lru_gen_from_seq as a mask (GEN_MASK, mglruConsts.ts): a signed modulus of a double is a call.
    this.nrPages[seq & GEN_MASK]--;
    this.nrPages[this.maxSeq & GEN_MASK]++;
  }

  /**
   * inc_min_seq: fold the oldest generation into the next one. Folio by folio from its tail
   * (lru_to_folio), each to the tail of its generation (list_move_tail): a lazily promoted one to its
   * own, the others to minSeq + 1 (folio_inc_gen, 6.1 and 6.6: "folio_update_gen() has promoted this
   * page?" returns the promoted generation unchanged; test/sim/mglruLazyPromotion.test.ts). The first
   * moved ends up furthest from the tail, so the fold reverses their order, as the kernel's does.
   */
  protected incMinSeq(): void {
    const old = this.minSeq;
    const from = this.head(old);
    const next = old + 1;
    for (let v = this.list.tail(from); v >= 0; v = this.list.tail(from)) {
      let seq = this.seqOf(v);
      if (seq === old) {
        // folio_inc_gen: the new flags drop LRU_REFS_MASK, PG_referenced and PG_workingset.
        seq = next;
        this.tag[v] = next;
        this.folioFlags[v] = 0;
        this.nrPages[old & GEN_MASK]--;
        this.nrPages[next & GEN_MASK]++;
      }
      this.list.moveToTail(this.head(seq), v);
    }
    this.resetCtrlPos(); // inc_min_seq's reset_ctrl_pos(lruvec, type, true), before min_seq + 1
    this.minSeq++;
  }

  /** should_run_aging (mm/vmscan.c, one type: anon): whether eviction needs a new generation. */
  protected agingNeed(): number {
    const gens = this.maxSeq - this.minSeq + 1;
    if (gens <= MIN_NR_GENS) return AGING_MUST;
    if (gens > MIN_NR_GENS + 1) return AGING_NO;
    const young = this.nrPages[this.maxSeq & GEN_MASK];
    const old = this.nrPages[this.minSeq & GEN_MASK];
    let total = 0;
    for (let s = this.minSeq; s <= this.maxSeq; s++) total += this.nrPages[s & GEN_MASK];
    if (young * MIN_NR_GENS > total) return AGING_SHOULD;
    if (old * (MIN_NR_GENS + 2) < total) return AGING_SHOULD;
    return AGING_NO;
  }

  /** kswapd: a pass is needed (must or should) and the gate is open. Never with no resident page. */
  wantsAging(t: number): boolean {
    return this.agingNeed() !== AGING_NO && !this.isEmpty() && this.gate.open(t);
  }

  /**
   * A new youngest generation without a page-table walk (try_to_inc_max_seq's
   * iterate_mm_list_nowalk path; here only for the agingIntervalMs what-if): no AF is harvested, so it costs nothing and holds no lock; pages
   * are sorted only by the eviction's own AF test and lookaround, which promote young victims.
   */
  protected incMaxSeqNoWalk(): void {
    this.filters.noWalk();
    this.incMaxSeq();
  }

  /** inc_max_seq: fold the oldest generation at MAX_NR_GENS (inc_min_seq), then max_seq + 1. */
  protected incMaxSeq(): void {
    if (this.maxSeq - this.minSeq + 1 >= MAX_NR_GENS) this.incMinSeq();
    this.maxSeq++;
  }

  /**
   * Start an aging pass at virtual time t. The walk promotes into the current maxSeq
   * (walk->max_seq = max_seq); the new generation is opened when the pass ends (endAging).
   */
  beginAging(t: number): boolean {
    this.gate.start(t);
    this.state[WALK_SEQ] = this.maxSeq;
    this.agingCursor = 0;
    this.mmHead = this.first;
    this.nrWalkers = 1; // iterate_mm_list's first caller (nr_walkers++ once it holds an mm)
    this.walkersDoneAt = -Infinity;
    this.stats[this.sb + GS_AGING_PASSES]++;
    return true;
  }

  /**
   * The end of try_to_inc_max_seq at the walker's virtual time t: inc_max_seq after the walk, unless the
   * generation was opened meanwhile (a no-walk generation while the gate was closed: max_seq is no longer
   * the walked one). The gate keeps t: reclaimers whose clocks are before it still find the walk under way
   * and the new generation absent (agingGate.ts; gensAt).
   */
  protected endAging(t: number): void {
    if (this.maxSeq === this.state[WALK_SEQ]) {
      this.incMaxSeq();
      this.gate.end(t);
    } else this.gate.end();
  }

  /**
   * The generations a reclaimer at virtual time t sees: max_seq - min_seq + 1, less the one a walk opens
   * at a later virtual time than t (AgingGate.unseenGens): for that reclaimer inc_max_seq has not run yet.
   */
  protected gensAt(t: number): number {
    return this.maxSeq - this.minSeq + 1 - this.gate.unseenGens(t);
  }

  /**
   * walk_mm for the next MAX_LRU_BATCH ids of the lruvec (no walk at all without hardware AF:
   * should_walk_mmu). Returns false when the pass is complete.
   */
  ageStep(r: Reclaimer): boolean {
    const l = this.lruLock;
    if (this.agingCursor === 0) {
      // iterate_mm_list: no mm to walk is iterate_mm_list_nowalk (mm_state->tail = NULL); a walk's first mm
      // resets the filter of max_seq + 1 (reset_bloom_filter) and takes force_scan from the tail.
      if (!r.canWalk(this.first, this.end)) {
        this.agingCursor = this.end - this.first;
        this.mmHead = this.end;
        this.filters.noWalk();
      } else {
        this.filters.startWalk(this.state[WALK_SEQ]);
        this.mmHead = this.mmEndOf(r, this.first); // this walker holds the first mm; head moves past it
      }
    }
    const n = this.end - this.first;
    if (this.agingCursor < n) {
      const start = this.first + this.agingCursor;
      // walk_mm walks one mm (its walk_pud_range batches of MAX_LRU_BATCH): a step ends at the mm's end.
      const mmStop = this.mmEndOf(r, start);
      const stop = Math.min(start + MAX_LRU_BATCH, mmStop);
      this.agingCursor = stop - this.first;
      if (stop === mmStop) {
        // walk_mm is done with this mm: try_to_inc_max_seq's loop asks iterate_mm_list for the next one,
        // mm_state->head, which joiners (joinWalk) may have moved past mms they took. None left: the
        // walker leaves the iteration (below).
        if (this.mmHead < this.end) {
          this.agingCursor = this.mmHead - this.first;
          this.mmHead = this.mmEndOf(r, this.mmHead);
        } else this.agingCursor = n;
      }
      if (l === null) r.walk(start, stop, this);
      else {
        // Spread runs: walk_mm runs walk_page_range without lru_lock (mm/vmscan.c 6.1-6.12). Its
        // promotions are made at once (walkPromoter, folio_update_gen); look-around's deferred
        // operations and the sizes' batch wait for one hold afterwards (reset_batch_size under
        // spin_lock_irq(&lruvec->lru_lock)).
        r.walk(start, stop, this.walkPromoter);
        if (this.agingCursor < n) {
          l.lock();
          try {
            this.flushDeferred();
          } finally {
            l.unlock();
          }
          return true;
        }
      }
      if (this.agingCursor < n) return true;
    }
    // iterate_mm_list gave no mm: nr_walkers--. Only joiners (walking inline, within one call) ever share a
    // pass with this stepwise walker, so it is the last one (nr_walkers back to 0) and calls inc_max_seq,
    // at the later of its clock and the joiners' walk ends (walkersDoneAt).
    this.nrWalkers--;
    const t = this.walkersDoneAt > r.t ? this.walkersDoneAt : r.t;
    if (l === null) this.endAging(t);
    else {
      // The last step's batch, then inc_max_seq, which takes lru_lock itself: one hold here.
      l.lock();
      try {
        this.flushDeferred();
        this.endAging(t);
      } finally {
        l.unlock();
      }
    }
    // try_to_inc_max_seq after inc_max_seq (6.1-6.3): "either this sees any waiters or they will see
    // updated max_seq": wake_up_all(&lruvec->mm_state.wait) at the generation's virtual time.
    r.mmWalkDone?.(t);
    return false;
  }

  /**
   * Spread runs: whether ageStep takes lru_lock itself (around each step's batch and inc_max_seq, not
   * around the walk): LockedLruvec then calls ageStep without holding it.
   */
  get agesLocked(): boolean {
    return this.lruLock !== null;
  }
}
