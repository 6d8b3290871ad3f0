/**
 * Multi-generation LRU over one lruvec (Linux mm/vmscan.c, lru_gen_*): the host's one lruvec holding
 * every guest's memory, or one guest's memcg. Pages are host-wide ids (mm/pgdat.ts).
 *
 * Moved out so far (see each file's comment): mglruGen.ts: the generations, their lists and counts, and where a faulted page goes; mglruRefault.ts: refault tiers (lru_gen_eviction, lru_gen_refault, LRU_REFS).
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
 *   The lab's pass has one walker (kswapd, or the direct reclaimer that started it) and opens no other
 *   generation while it walks: a reclaimer that needs a generation meanwhile gets no victim (pickVictim
 *   returns -1: a vCPU's fault retries). The kernel's further callers of try_to_inc_max_seq for the same
 *   max_seq differ by version (iterate_mm_list, mm/vmscan.c):
 *   6.1-6.3: each takes the next unwalked mm (mm_state->head) and walks it (nr_walkers counts them); one
 *   left without an mm returns false (after wait_event_killable for the new max_seq at priority <=
 *   DEF_PRIORITY - 2), and the last walker to finish (nr_walkers back to 0) calls inc_max_seq.
 *   6.4+ (7f63cf2d9b9b "mm: Multi-gen LRU: remove wait_event_killable()", in the 6.4-rc1 mm pull; also in
 *   later 6.1.y): no nr_walkers and no wait. Each caller still takes the next mm after mm_state->head,
 *   but whoever moves head past the list's end (a walker done with its mm, or a caller arriving while
 *   the last mm is being walked) increments mm_state->seq and returns true, and try_to_inc_max_seq calls
 *   inc_max_seq at once; the other walkers' walk_mm sees max_seq moved at its next batch ("another
 *   thread might have called inc_max_seq()") and stops. Only a caller arriving after that returns false
 *   (try_to_inc_max_seq: max_seq <= mm_state->seq).
 *   Not modelled: joining (both versions) and 6.4+'s early end; with one walker both versions do what the
 *   lab does. So walk_pte_range's walk->max_seq is still max_seq when the walk
 *   ends, and the pages it found young end in max_seq - 1. (Before, the lab opened no-walk generations
 *   meanwhile, which left the walked pages, their flags cleared, in what had become the oldest
 *   generation: test/sim/mglruWalkInProgress.test.ts.) A pass whose generation was opened meanwhile
 *   (only the agingIntervalMs what-if can: a no-walk generation while the gate is closed between passes
 *   does not overlap a walk) opens none at its end: the kernel's last walker calls inc_max_seq only for
 *   the max_seq it walked (try_to_inc_max_seq's VM_WARN_ON_ONCE(max_seq != lrugen->max_seq)).
 * - Eviction from the oldest generation's tail (scan_folios: lru_to_folio, the list's tail). A page
 *   whose generation was raised meanwhile (promoted lazily, below) is first moved to the head of its
 *   generation (sort_folio's "promoted": list_move), without folio_referenced. Otherwise
 *   folio_referenced (Reclaimer.referenced; with the fast path this is lru_gen_look_around, 64 pages
 *   clipped to the PMD, in one lockless batch) → young: activated (activate_locked ->
 *   move_folios_to_lru -> lru_gen_add_folio of an active folio: the head of maxSeq); old: evicted. An
 *   empty oldest generation is retired (minSeq++).
 * - Young pages found by the walk (walk_pte_range) or by kswapd's look-around (which has an mm_walk)
 *   are promoted lazily (folio_update_gen): their generation and the generations' sizes change, their
 *   place on the lists does not, until eviction meets them (sort_folio) or the oldest generation is
 *   folded (inc_min_seq). Direct reclaim's look-around (no mm_walk) activates each young neighbour in
 *   address order instead (folio_activate). Within a generation pages thus keep the order they had:
 *   pages faulted in address order are evicted in address order.
 * - reclaim.agingIntervalMs (a what-if, 0 = off): passes start at least that far apart; eviction that
 *   needs a generation meanwhile gets one without a walk.
 */
import { GS_AGING_PASSES } from '../../sim/simLayout.ts';
import { SCAN_AGAIN, type LruLock, type Policy, type Promoter, type Reclaimer } from './policy.ts';
import { GEN_MASK, MAX_LRU_BATCH, MAX_NR_GENS, MIN_NR_GENS, MglruGens, WALK_SEQ } from './mglruGen.ts';
import { FOLIO_SHADOW, lruGenEviction, lruGenRefault, refaultProtected } from './mglruRefault.ts';

export { MAX_LRU_BATCH, MAX_NR_GENS, MGLRU_WORDS, MIN_NR_GENS } from './mglruGen.ts';
export { FOLIO_REFS_MASK, FOLIO_SHADOW, FOLIO_WORKINGSET } from './mglruRefault.ts';

/** Mglru.deferred's kinds. */
const DEFER_PROMOTE = 0;
const DEFER_ACTIVATE = 1;
const DEFER_PUTBACK = 2;

/** should_run_aging's answers. */
const AGING_NO = 0;
const AGING_SHOULD = 1;
const AGING_MUST = 2;

export class Mglru extends MglruGens implements Policy, Promoter {
  readonly seesEveryAccess = false;

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
   * folio_add_lru in fault context: PG_active, so lru_gen_add_folio adds it at the head of max_seq.
   * A swap-in of a page this lruvec evicted first passes lru_gen_refault (do_swap_page calls
   * workingset_refault before folio_add_lru): see refault.
   */
  onMap(id: number): void {
    this.folioFlags[id] = (this.folioFlags[id] & FOLIO_SHADOW) !== 0 ? lruGenRefault(this.tag, this.state, id) : 0;
    this.addActive(id);
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

  /** folio_lru_refs == BIT(LRU_REFS_WIDTH): sort_folio protects the folio whatever the tier index. */
  private protectedRefs(id: number): boolean {
    return refaultProtected(this.folioFlags, id);
  }

  /**
   * sort_folio's "protected" branch for a folio at the oldest tail: folio_inc_gen (min_seq + 1, its
   * LRU_REFS bits, PG_referenced and PG_workingset cleared) and list_move_tail onto that generation.
   */
  private protect(id: number): void {
    const next = this.minSeq + 1;
    this.list.moveToTail(this.head(next), id);
    this.tag[id] = next;
    this.folioFlags[id] = 0;
    this.nrPages[this.minSeq & GEN_MASK]--;
    this.nrPages[next & GEN_MASK]++;
  }

  /**
   * lru_gen_eviction (workingset_eviction from __remove_mapping, as the folio is freed): the shadow's
   * token records min_seq, in the page's tag (free while the page is off the LRU). pickVictim calls it
   * for its victim; a victim that stays in the swap cache under writeback (SSD) is not freed yet: the
   * node clears the mark and calls this again when reclaim frees the written folio (Pgdat.endWriteback).
   */
  evicted(id: number): void {
    lruGenEviction(this.tag, this.folioFlags, this.state, id);
  }

  onAccess(): void {}

  size(): number {
    return this.total;
  }

  /** MGLRU has no too_many_isolated check (evict_folios -> isolate_folios). */
  inactivePages(): number {
    return -1;
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
    this.nrPages[seq % MAX_NR_GENS]--;
    this.nrPages[this.maxSeq % MAX_NR_GENS]++;
  }

  /**
   * inc_min_seq: fold the oldest generation into the next one. Folio by folio from its tail
   * (lru_to_folio), each to the tail of its generation (list_move_tail): a lazily promoted one to its
   * own, the others to minSeq + 1 (folio_inc_gen, 6.1 and 6.6: "folio_update_gen() has promoted this
   * page?" returns the promoted generation unchanged; test/sim/mglruLazyPromotion.test.ts). The first
   * moved ends up furthest from the tail, so the fold reverses their order, as the kernel's does.
   */
  private incMinSeq(): void {
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
    this.minSeq++;
  }

  /** should_run_aging (mm/vmscan.c, one type: anon): whether eviction needs a new generation. */
  private agingNeed(): number {
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
  private incMaxSeqNoWalk(): void {
    this.filters.noWalk();
    this.incMaxSeq();
  }

  /** inc_max_seq: fold the oldest generation at MAX_NR_GENS (inc_min_seq), then max_seq + 1. */
  private incMaxSeq(): void {
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
    this.stats[this.sb + GS_AGING_PASSES]++;
    return true;
  }

  /**
   * The end of try_to_inc_max_seq: inc_max_seq after the walk, unless the generation was opened
   * meanwhile (a no-walk generation while the gate was closed: max_seq is no longer the walked one).
   */
  private endAging(): void {
    if (this.maxSeq === this.state[WALK_SEQ]) this.incMaxSeq();
    this.gate.end();
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
        this.filters.noWalk();
      } else this.filters.startWalk(this.state[WALK_SEQ]);
    }
    const n = this.end - this.first;
    if (this.agingCursor < n) {
      const start = this.first + this.agingCursor;
      const stop = Math.min(start + MAX_LRU_BATCH, this.end);
      this.agingCursor = stop - this.first;
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
    if (l === null) this.endAging();
    else {
      // The last step's batch, then inc_max_seq, which takes lru_lock itself: one hold here.
      l.lock();
      try {
        this.flushDeferred();
        this.endAging();
      } finally {
        l.unlock();
      }
    }
    return false;
  }

  /**
   * Spread runs: whether ageStep takes lru_lock itself (around each step's batch and inc_max_seq, not
   * around the walk): LockedLruvec then calls ageStep without holding it.
   */
  get agesLocked(): boolean {
    return this.lruLock !== null;
  }

  /**
   * Spread runs: the list operations a reclaimer owes the LRU since its last lru_lock hold, in the order
   * it made them, each `id * 4 + kind` (DEFER_*): look-around's promotions and activations (made while
   * lru_lock is not held) and the put-back of a folio found young. They are applied at the start of this
   * worker's next hold (flushDeferred), whatever takes it, so a holder on this worker sees the lists as
   * the immediate operations would have left them; only the other worker sees the folios still isolated.
   * Kernel (mm/vmscan.c, 6.1-6.12): evict_folios takes lruvec->lru_lock once for isolate_folios, runs
   * shrink_folio_list (folio_referenced -> lru_gen_look_around) without it, and takes it once more for
   * move_folios_to_lru, which puts the batch's young folios back; kswapd's look-around promotions are
   * batched in its mm_walk (update_batch_size) and applied in that same hold (reset_batch_size); direct
   * reclaim's look-around activations go through folio_activate's per-CPU batch (6.6+). The lab
   * considers one folio per reclaim step (pgdat.ts KSWAPD_SCAN_PER_STEP, DIRECT_SCAN_PER_STEP), so its
   * batch is that folio and the put-back hold is the next step's isolate hold: one lru_lock acquisition
   * per folio considered instead of two (isolate, then put back or look-around's promotion).
   */
  private readonly deferred: number[] = [];
  /** The promoter look-around gets while lru_lock is not held: records into `deferred`. */
  private lockedPromoter: Promoter = this;
  /**
   * The promoter of a walk step run without lru_lock (ageStep, spread runs): promotions into `deferred`
   * (the walk's batch), the Bloom filters' test and update directly (test_bloom_filter /
   * update_bloom_filter: set_bit and test_bit, under no lru_lock).
   */
  private walkPromoter: Promoter = this;

  /** Spread runs (mm/sharedLru.ts LockedLruvec): pick victims under `lock` held around list operations only. */
  setLruLock(lock: LruLock): void {
    this.lruLock = lock;
    const deferred = this.deferred;
    this.lockedPromoter = {
      promote: (id) => {
        deferred.push(id * 4 + DEFER_PROMOTE);
      },
      activate: (id) => {
        deferred.push(id * 4 + DEFER_ACTIVATE);
      },
      // update_bloom_filter sets bits with set_bit, under no lru_lock.
      lookedAround: (key, total, young) => this.lookedAround(key, total, young),
    };
    // folio_update_gen changes the folio's generation at once, with a cmpxchg on folio->flags and no
    // lru_lock (mm/vmscan.c 6.1-6.12; only the generations' sizes wait for reset_batch_size's hold). A
    // promotion held back to the step's end would leave a page the walk has just found young (its
    // accessed bit now clear) tagged with its old generation, for another worker to isolate and evict,
    // or would land on a folio evicted and refaulted meanwhile. So the walk promotes now, in a short
    // hold of its own: the lab's per-page tag and sizes are one lock's data.
    this.walkPromoter = {
      promote: (id) => {
        lock.lock();
        try {
          this.promote(id);
        } finally {
          lock.unlock();
        }
      },
      activate: this.lockedPromoter.activate,
      lookedAround: this.lockedPromoter.lookedAround,
      walkPmd: (key) => this.walkPmd(key),
      walkedPmd: (key, total, young) => this.walkedPmd(key, total, young),
    };
  }

  /**
   * Apply the deferred list operations (see `deferred`), lru_lock held: look-around's promotions and
   * activations as promote/activate make them, and a young folio's put-back (move_folios_to_lru ->
   * lru_gen_add_folio of an active folio: the head of max_seq). Callers: every method that runs under
   * lru_lock in a spread run (pickVictimIsolating's holds, and LockedLruvec's calls of onMap, evicted,
   * wantsAging, beginAging, ageStep, and its drainDeferred at the end of each quantum).
   */
  flushDeferred(): void {
    const d = this.deferred;
    if (d.length === 0) return;
    for (let i = 0; i < d.length; i++) {
      const kind = d[i] % 4;
      const id = (d[i] - kind) / 4;
      if (kind === DEFER_PROMOTE) this.promote(id);
      else if (kind === DEFER_ACTIVATE) this.activate(id);
      else this.addActive(id);
    }
    d.length = 0;
  }

  /** How many deferred operations wait (LockedLruvec.drainDeferred, tests); read by the owning worker. */
  deferredOps(): number {
    return this.deferred.length;
  }

  pickVictim(r: Reclaimer, inlineAging: boolean): number {
    if (this.lruLock !== null) return this.pickVictimIsolating(r, inlineAging, this.lruLock);
    const list = this.list;
    if (this.isEmpty()) return -1;
    for (let budget = 4 * this.total + 16; budget > 0; budget--) {
      if (this.maxSeq - this.minSeq + 1 <= MIN_NR_GENS) {
        // Eviction cannot take from the two youngest generations: a new one is needed now. With
        // the gate open, direct reclaim runs the walk here and kswapd returns to run it in steps;
        // with a walk in progress there is no victim until it ends (try_to_inc_max_seq: see the file
        // comment); with the gate closed only by the agingIntervalMs what-if the generation is added
        // without a walk.
        if (this.gate.open(r.t)) {
          if (!inlineAging) return -1;
          this.beginAging(r.t);
          while (this.ageStep(r)) {
            /* next MAX_LRU_BATCH ids */
          }
        } else if (this.gate.walking())
          return -1; // the walk of max_seq is under way: aging_in_progress
        else this.incMaxSeqNoWalk();
      }
      const v = list.tail(this.head(this.minSeq));
      if (v < 0) {
        this.minSeq++; // retire the empty oldest generation (the check above keeps > MIN_NR_GENS)
        continue;
      }
      const seq = this.seqOf(v);
      if (seq !== this.minSeq) {
        // sort_folio, "promoted": to the head of the generation it was promoted to (list_move).
        list.moveToHead(this.head(seq), v);
        continue;
      }
      if (this.protectedRefs(v)) {
        this.protect(v); // sort_folio, "protected": refaulted recently (lru_gen_refault)
        continue;
      }
      if (r.referenced(v, this)) {
        this.activate(v);
        if (r.spent()) return SCAN_AGAIN;
        continue;
      }
      list.remove(v);
      this.nrPages[this.minSeq & GEN_MASK]--;
      this.total--;
      this.evicted(v);
      return v;
    }
    return -1;
  }

  /**
   * pickVictim with lru_lock held around the list operations only (setLruLock): the same choices as
   * pickVictim, with the victim off the LRU (isolated) while its folio_referenced runs unlocked, so
   * another reclaimer cannot pick it and no promotion moves it (promote skips a page on no list).
   */
  private pickVictimIsolating(r: Reclaimer, inlineAging: boolean, l: LruLock): number {
    // get_nr_to_scan (mm/vmscan.c, 6.1-6.12) decides before evict_folios, without lru_lock:
    // should_run_aging reads min_seq / max_seq with READ_ONCE (DEFINE_MIN_SEQ, DEFINE_MAX_SEQ), and with
    // only MIN_NR_GENS generations left and another reclaimer's walk of max_seq under way,
    // try_to_inc_max_seq returns false, so the lruvec is skipped (0 to scan) and lru_lock is never taken.
    // The same answer as the locked check below (-1), from racy reads of the shared words.
    if (this.maxSeq - this.minSeq + 1 <= MIN_NR_GENS && this.gate.walking()) return -1;
    const list = this.list;
    l.lock();
    let held = true;
    try {
      this.flushDeferred(); // the previous step's put-back and look-around operations (`deferred`)
      if (this.isEmpty()) return -1;
      for (let budget = 4 * this.total + 16; budget > 0; budget--) {
        if (this.maxSeq - this.minSeq + 1 <= MIN_NR_GENS) {
          if (this.gate.open(r.t)) {
            if (!inlineAging) return -1;
            this.beginAging(r.t);
            // try_to_inc_max_seq's walk runs without lru_lock; each step takes it for its batch and the
            // last for inc_max_seq (ageStep). Other reclaimers meanwhile see the walk (gate) and skip.
            l.unlock();
            held = false;
            while (this.ageStep(r)) {
              /* next MAX_LRU_BATCH ids */
            }
            l.lock();
            held = true;
            this.flushDeferred();
          } else if (this.gate.walking())
            return -1; // as pickVictim: no generation while max_seq is walked
          else this.incMaxSeqNoWalk();
        }
        const v = list.tail(this.head(this.minSeq));
        if (v < 0) {
          this.minSeq++;
          continue;
        }
        const seq = this.seqOf(v);
        if (seq !== this.minSeq) {
          // sort_folio, "promoted": to the head of the generation it was promoted to (list_move).
          list.moveToHead(this.head(seq), v);
          continue;
        }
        if (this.protectedRefs(v)) {
          this.protect(v); // sort_folio, "protected": refaulted recently (lru_gen_refault)
          continue;
        }
        // isolate_folios: the folio leaves the LRU under lru_lock ...
        list.remove(v);
        this.nrPages[this.minSeq & GEN_MASK]--;
        this.total--;
        // ... shrink_folio_list -> folio_referenced (look-around) runs without it; look-around's
        // promotions and the put-back of a young folio wait for the next hold (`deferred`).
        l.unlock();
        held = false;
        if (r.referenced(v, this.lockedPromoter)) {
          // Back on the LRU in the youngest generation at the next hold (move_folios_to_lru).
          this.deferred.push(v * 4 + DEFER_PUTBACK);
          if (r.spent()) return SCAN_AGAIN;
          l.lock();
          held = true;
          this.flushDeferred();
          continue;
        }
        // lru_gen_eviction reads min_seq without lru_lock (workingset_eviction under the mapping's lock).
        this.evicted(v);
        return v;
      }
      return -1;
    } finally {
      if (held) l.unlock();
    }
  }
}
