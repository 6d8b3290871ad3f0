/**
 * A reclaim policy over one lruvec (DESIGN.md "Reclaim"): the pages of the host's one lruvec (every
 * guest's memory) or of one memcg (one guest). Pages are named by host-wide page ids
 * (engine/core/mm/pgdat.ts: guest base + gfn); the policy never sees guests or harvest modes.
 *
 * Contract:
 * - onMap(id): the page just became resident (after a stage-2 fault); it joins the structures.
 * - onAccess(id): called on EVERY access to a resident page, but only when `seesEveryAccess`
 *   (exact LRU, the upper bound that cheats); AF-based policies learn about accesses only via AF.
 * - pickVictim(r, inlineAging): choose a page to evict, remove it from the structures and return its
 *   id, or -1 if nothing is evictable now. Accessed information comes only from the Reclaimer `r`
 *   (folio_referenced through the owning VM's mmu notifier, look-around, the page-table walk), which
 *   advances `r.t` (the reclaimer's clock) by what it costs. The caller unmaps and swaps out the victim.
 *   With `inlineAging` (direct reclaim) a policy that cannot evict without an aging pass runs it here;
 *   without it (kswapd) it returns -1 and kswapd runs the pass in steps (wantsAging/beginAging/ageStep).
 * - Aging is reclaim-driven (agingGate.ts): wantsAging(t) is true when reclaim needs a pass now;
 *   beginAging(t) starts it; ageStep(r) does one step of it and returns false when it is complete.
 * Policies are single-writer: only the worker that owns the lruvec calls them.
 */

/** pickVictim's answer when the reclaimer's scan budget ran out before a victim was found: call again. */
export const SCAN_AGAIN = -2;

/** lruvec->lru_lock as a policy that takes it itself sees it (mm/sharedLru.ts, spread runs). */
export interface LruLock {
  lock(): void;
  unlock(): void;
}

/**
 * What a policy may do with a page found young by look-around or the walk (MGLRU, mm/vmscan.c):
 * - promote: folio_update_gen, the lazy promotion of walk_pte_range and of lru_gen_look_around with an
 *   mm_walk (kswapd): the page's generation changes, its place on the lists does not; eviction moves it
 *   later (sort_folio).
 * - activate: folio_activate, look-around without an mm_walk (direct reclaim), and a young victim
 *   (activate_locked -> move_folios_to_lru): off its list and onto the head of the youngest generation
 *   (lru_gen_add_folio of an active folio: list_add).
 */
export interface Promoter {
  promote(id: number): void;
  activate(id: number): void;
  /**
   * MGLRU's Bloom filters over PTE tables (mm/policy/bloomFilter.ts), keyed by Pgdat's PTE-table key;
   * absent: every table is walked and nothing is recorded.
   * - walkPmd: walk_pmd_range's test_bloom_filter(walk->seq) (true under force_scan or with no filter).
   * - walkedPmd: after walk_pte_range of a visited table, total PTEs and young ones (suitable_to_scan ->
   *   update_bloom_filter(walk->seq + 1)).
   * - lookedAround: lru_gen_look_around's window, its PTEs and young ones (update_bloom_filter(max_seq)).
   */
  walkPmd?(key: number): boolean;
  walkedPmd?(key: number, total: number, young: number): void;
  lookedAround?(key: number, total: number, young: number): void;
}

/** The host's reclaimer as a policy sees it (engine/core/mm/pgdat.ts). */
export interface Reclaimer {
  /** The reclaimer's virtual clock (ns). */
  t: number;
  /**
   * folio_referenced(id): whether the page was accessed since the last check (clears AF). MGLRU
   * passes itself as `promoter`: with the seed's fast path, look-around (lru_gen_look_around) then
   * test-clears the neighbours in the same batch and promotes the young ones.
   */
  referenced(id: number, promoter: Promoter | null): boolean;
  /** MGLRU's page-table walk over ids [start, end) (walk_mm): young pages are promoted. */
  walk(start: number, end: number, promoter: Promoter): void;
  /** should_walk_mmu() for every VM of this lruvec: false = aging takes the no-walk path. */
  canWalk(start: number, end: number): boolean;
  /**
   * The end of the mm (the VM, one VMM process) whose ids hold `id`: walk_mm walks one mm at a time, and
   * iterate_mm_list hands each walker the next one (mglruAging.ts). Absent: the lruvec is one mm.
   */
  mmEnd?(id: number): number;
  /**
   * Set by MGLRU when this reclaimer's call joined the aging walk under way and walked mms of it without
   * being its last walker (MglruAging.joinWalk): its clock moved, and it got no victim. Reset per call.
   */
  joinedWalk?: boolean;
  /**
   * MGLRU's last walker of a pass opened the new generation at virtual time t (try_to_inc_max_seq after
   * inc_max_seq, 6.1-6.3): wake_up_all(&lruvec->mm_state.wait) when it has sleepers (Pgdat.mmWalkDone).
   */
  mmWalkDone?(t: number): void;
  /**
   * Whether this call's scan budget is used up (kswapd considers one folio per scheduler step, so its
   * MMU-lock requests interleave with the vCPUs' in virtual time; direct reclaim has no budget).
   * Policies check it after each folio found young and return SCAN_AGAIN.
   */
  spent(): boolean;
}

export interface Policy {
  readonly seesEveryAccess: boolean;
  onMap(id: number): void;
  /**
   * A folio swap readahead brought into the swap cache (mm/swapReadahead.ts) joins the LRU, not mapped:
   * lru_gen_add_folio places a non-active swap-cache folio as it places readahead pages. Absent: as onMap.
   */
  onReadahead?(id: number): void;
  onAccess(id: number): void;
  /**
   * Optional: folio_mark_accessed (mm/swap.c, 6.1-6.6) on a folio this lruvec holds, just placed by onMap.
   * The classic LRU (!lru_gen_enabled): the first call sets PG_referenced, a second on an inactive folio
   * activates it (folio_activate) and clears PG_referenced. MGLRU: folio_inc_refs (its tiers,
   * mglruRefault.ts). Callers: the stage-2 fault (kvm/userMemAbort.ts: get_user_pages' FOLL_TOUCH, arm64's
   * kvm_set_pfn_accessed, the release). Absent: no effect (exact LRU, CLOCK).
   */
  markAccessed?(id: number): void;
  /**
   * `n` markAccessed calls on folio `id` in one call (n >= 0), as the stage-2 fault makes them
   * (kvm/faultinMarks.ts markOnMap): required, so the fault's call is direct and monomorphic; a no-op where
   * markAccessed is absent. Same effect as n successive markAccessed calls.
   */
  markAccessedN(id: number, n: number): void;
  /**
   * Optional (the classic LRU): folio_set_referenced on a folio this lruvec holds, as
   * folio_check_references leaves it after one look that found its PTE young (sim/prefault.ts).
   */
  setReferenced?(id: number): void;
  pickVictim(r: Reclaimer, inlineAging: boolean): number;
  /**
   * Optional: a victim pickVictim returned earlier is freed only now (a written swap-cache folio,
   * Pgdat.endWriteback): workingset_eviction. MGLRU records the shadow (lru_gen_eviction).
   */
  evicted?(id: number): void;
  wantsAging(t: number): boolean;
  /**
   * Start a pass; returns whether it did. A policy only one agent works on starts it whenever asked (its
   * caller has just seen wantsAging). A shared lruvec (mm/sharedLru.ts) re-checks wantsAging in the same
   * lru_lock hold and declines when another worker's reclaimer started the pass since the check, as
   * try_to_inc_max_seq re-checks max_seq against mm_state->seq under mm_list->lock and returns false.
   */
  beginAging(t: number): boolean;
  ageStep(r: Reclaimer): boolean;
  /** Pages on this lruvec now (lruvec_lru_size), for proportional scanning between memcgs. */
  size(): number;
  /**
   * Optional (MGLRU): the counts kswapd's balance_pgdat iteration reads (mm/kswapd.ts, lru_gen_shrink_node ->
   * try_to_shrink_lruvec, mm/vmscan.c 6.3-6.4): scan_folios's running counts on this object, and the
   * lruvec's NR_INACTIVE_ANON as lru_gen_update_size keeps it (set_initial_priority's `reclaimable`).
   */
  lruGenScan?(): LruGenScan;
  /**
   * Optional: the policy takes lru_lock itself in pickVictim, around its list operations only (MGLRU's
   * isolate / folio_referenced / putback). Without it the caller holds the lock for the whole pick.
   */
  setLruLock?(lock: LruLock): void;
  /**
   * Optional, after setLruLock: true when ageStep takes lru_lock itself, around each step's promotions
   * and the pass's end only, not around the walk (MGLRU's walk_mm); the caller then holds no lock.
   */
  readonly agesLocked?: boolean;
  /**
   * Optional, with setLruLock: apply the list operations the policy's reclaim deferred to its next
   * lru_lock hold (MGLRU's put-back of young folios and look-around's promotions); lru_lock held.
   */
  flushDeferred?(): void;
  /** Optional, with flushDeferred: how many deferred operations wait (read by the owning worker only). */
  deferredOps?(): number;
  /**
   * Optional (MGLRU): a reclaimer at virtual time t that got no victim because another reclaimer's walk
   * of max_seq is under way at t sleeps until this time, the walk's inc_max_seq (try_to_inc_max_seq's
   * wait_event_killable on lruvec->mm_state.wait, mm/vmscan.c 6.1-6.3); +Infinity when its end is not
   * known yet (kswapd's pass in steps: asleep until Reclaimer.mmWalkDone); -1 when no walk is under way
   * at t (mglruMmList.ts walkEnd).
   */
  walkEnd?(t: number): number;
  /**
   * The aging pass under way in the data, named by its start time, or -1 when none runs; and the last
   * pass's inc_max_seq time (-Infinity before any). A spread run's worker reads them at each quantum
   * start to wake its sleepers on mm_state.wait (mm/reclaimThrottle.ts mmWalkSettle).
   */
  walkPass?(): number;
  walkIncAt?(): number;
  /**
   * NR_INACTIVE_ANON of this lruvec for too_many_isolated (shrink_inactive_list), or -1 when the
   * policy's reclaim path has no such check (MGLRU's evict_folios; the lab's exact LRU and CLOCK).
   */
  inactivePages(): number;
  /**
   * Optional: snapshot_refaults (mm/vmscan.c) at the end of a reclaim call (balance_pgdat, or a direct
   * reclaimer's cluster): the classic LRU's refault-driven deactivation compares against it.
   */
  snapshotRefaults?(): void;
}

/** MGLRU's eviction counts for kswapd's iteration (Policy.lruGenScan). */
export interface LruGenScan {
  /** Folios scan_folios has looked at on this object (sorted, protected or isolated: its `scanned`). */
  readonly foliosScanned: number;
  /** Folios it isolated for shrink_folio_list (sc->nr_scanned). */
  readonly foliosIsolated: number;
  /** Pages in generations older than max_seq - 1 (lru_gen_is_active false): NR_INACTIVE_ANON. */
  inactiveGens(): number;
}
