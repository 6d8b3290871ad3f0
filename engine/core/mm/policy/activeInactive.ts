/**
 * Classic two-list LRU (Linux before MGLRU) over one lruvec (host-wide ids, mm/pgdat.ts): new pages
 * join the inactive list; reclaim scans the inactive tail (shrink_inactive_list -> shrink_folio_list ->
 * folio_check_references -> folio_referenced, through each VM's mmu notifier): young → activate if
 * PG_referenced was set, else keep (see below), old → evict. The seed series never changed this path: clear_flush_young keeps its write lock.
 *
 * Aging is reclaim-driven (agingGate.ts): when reclaim runs and the inactive list is short
 * (inactive_is_low: inactive * inactive_ratio < active, inactive_ratio = int_sqrt(10 * GiB of the
 * lists) or 1 below 1 GiB), a deactivation pass (shrink_active_list) takes pages from the active
 * tail until the inactive list is no longer short: each page's AF is tested and cleared in a hold of
 * its own (folio_referenced) and it moves to the inactive head whatever the answer, as for
 * anonymous pages. kswapd runs a pass in steps of SWAP_CLUSTER_MAX pages; direct reclaim inline.
 * Passes start at least reclaim.agingIntervalMs apart: with the inactive list empty and the gate
 * closed, this guest's eviction stalls (pickVictim returns -1).
 *
 * PG_referenced (FOLIO_REFERENCED in the folio flags, while the folio is on a list): folio_mark_accessed
 * (markAccessed) sets it, or on an inactive folio that has it activates the folio and clears it;
 * folio_check_references at the inactive tail (pickVictim) activates a young folio only if it had it
 * (and leaves it set), else sets it and puts the folio back at the inactive head (FOLIOREF_KEEP: "Mark it
 * and spare it for another trip around the inactive list"); an old folio is reclaimed (swap-backed,
 * whatever PG_referenced). shrink_active_list leaves it as it is.
 *
 * Refaults (mm/workingset.c): an evicted folio leaves a shadow (nonresident_age); a swap-in within
 * NR_ACTIVE_ANON of it joins the active list (workingset_refault), and such activations since the last
 * snapshot_refaults make reclaim scan the active list one for one with the inactive list
 * (DEACTIVATE_ANON), as inactive_is_low does.
 */
import type { DList } from '../../sim/dlist.ts';
import { GS_AGING_PASSES } from '../../sim/simLayout.ts';
import type { AgingGate } from './agingGate.ts';
import { SCAN_AGAIN, type Policy, type Reclaimer } from './policy.ts';
import {
  ACTIVE_INACTIVE_WORDS,
  DEACTIVATE_OWED,
  N_ACTIVE,
  N_INACTIVE,
  NONRESIDENT_AGE,
  REFAULT_SNAPSHOT,
  WORKINGSET_ACTIVATE,
} from './activeInactiveConsts.ts';
import { workingsetEviction, workingsetRefault } from './workingsetAnon.ts';
import { FOLIO_SHADOW } from './mglruRefault.ts';

/** The policy's state words (activeInactiveConsts.ts), re-exported for the importers of this module. */
export { ACTIVE_INACTIVE_WORDS } from './activeInactiveConsts.ts';

const TAG_ACTIVE = 1;
const TAG_INACTIVE = 2;
/** Deactivations per kswapd step (SWAP_CLUSTER_MAX). */
const STEP_PAGES = 32;
const PAGES_PER_GIB = 262_144;

/**
 * PG_referenced, kept in the folio flags' low bit while the folio is on a list (onMap clears the byte;
 * off the list the byte holds the shadow's token, so the bit is meaningless there).
 */
export const FOLIO_REFERENCED = 0x01;

export class ActiveInactive implements Policy {
  readonly seesEveryAccess = false;
  private readonly active: number;
  private readonly inactive: number;

  constructor(
    private readonly list: DList,
    private readonly tag: Int16Array,
    headBase: number,
    private readonly stats: Float64Array,
    private readonly sb: number,
    private readonly gate: AgingGate,
    /** nActive, nInactive: a local array or a spread run's shared lruvec state (mm/sharedLru.ts). */
    private readonly state: Float64Array = new Float64Array(ACTIVE_INACTIVE_WORDS),
    /** False: lists and state were initialised already (a shared lruvec attached by another worker). */
    fresh = true,
    /** host.scale: the lists stand for `scale` times their pages in inactive_is_low's GiB. */
    private readonly scale = 1,
    /** The node's per-page folio flags (mm/pgdat.ts): FOLIO_SHADOW and the token's high bits, by host-wide id. */
    private readonly folioFlags: Uint8Array = new Uint8Array(tag.length),
  ) {
    this.active = headBase;
    this.inactive = headBase + 1;
    if (!fresh) return;
    state[N_ACTIVE] = 0;
    state[N_INACTIVE] = 0;
    state[NONRESIDENT_AGE] = 0;
    state[WORKINGSET_ACTIVATE] = 0;
    state[REFAULT_SNAPSHOT] = 0;
    state[DEACTIVATE_OWED] = 0;
    list.init(this.active);
    list.init(this.inactive);
  }

  private get nActive(): number {
    return this.state[N_ACTIVE];
  }

  private set nActive(v: number) {
    this.state[N_ACTIVE] = v;
  }

  private get nInactive(): number {
    return this.state[N_INACTIVE];
  }

  private set nInactive(v: number) {
    this.state[N_INACTIVE] = v;
  }

  /**
   * lru_add (folio_add_lru -> lruvec_add_folio, mm/swap.c): a new anonymous or shmem folio joins the
   * inactive list's head (since 5.9, "mm/vmscan: make active/inactive ratio as 1:1 for anon lru"); a
   * swap-in of a page this lruvec evicted first passes workingset_refault (__read_swap_cache_async,
   * mm/swap_state.c, before folio_add_lru; swap readahead's folios too): see workingsetRefault
   * (workingsetAnon.ts). Pages the pre-fault left swapped (sim/prefault.ts) carry no shadow: their
   * swap-ins join the inactive list, as in the kernel, where the pre-fault's single writes activate
   * nothing, so NR_ACTIVE_ANON (the workingset_size they are measured against) is about 0 when run 1
   * refaults them.
   */
  onMap(id: number): void {
    if ((this.folioFlags[id] & FOLIO_SHADOW) !== 0 && workingsetRefault(this.state, this.tag, this.folioFlags, id)) {
      this.list.insertHead(this.active, id);
      this.tag[id] = TAG_ACTIVE;
      this.nActive++;
      return;
    }
    this.folioFlags[id] = 0;
    this.list.insertHead(this.inactive, id);
    this.tag[id] = TAG_INACTIVE;
    this.nInactive++;
  }

  /**
   * folio_mark_accessed (mm/swap.c, 6.1-6.4, !lru_gen_enabled): !PG_referenced -> folio_set_referenced;
   * else, not active -> folio_activate (to the active head; the lab moves it at once, the kernel through
   * the per-CPU lru_activate batch), folio_clear_referenced and workingset_activation (->
   * workingset_age_nonresident). Called right after onMap (the folio is on a list here).
   */
  markAccessed(id: number): void {
    const f = this.folioFlags[id];
    if ((f & FOLIO_REFERENCED) === 0) {
      this.folioFlags[id] = f | FOLIO_REFERENCED;
      return;
    }
    if (this.tag[id] !== TAG_INACTIVE) return;
    this.list.moveToHead(this.active, id);
    this.tag[id] = TAG_ACTIVE;
    this.nInactive--;
    this.nActive++;
    this.folioFlags[id] = f & ~FOLIO_REFERENCED;
    this.state[NONRESIDENT_AGE]++;
  }

  /** `n` folio_mark_accessed calls (the stage-2 fault's, markOnMap), one after another. */
  markAccessedN(id: number, n: number): void {
    for (let k = 0; k < n; k++) this.markAccessed(id);
  }

  /** folio_set_referenced on a folio on a list. */
  setReferenced(id: number): void {
    this.folioFlags[id] |= FOLIO_REFERENCED;
  }

  /** workingset_eviction's shadow (workingsetAnon.ts workingsetEviction; Pgdat.endWriteback calls this too). */
  evicted(id: number): void {
    workingsetEviction(this.state, this.tag, this.folioFlags, id);
  }

  /**
   * lruvec->nonresident_age, WORKINGSET_ACTIVATE_ANON, lruvec->refaults[WORKINGSET_ANON] (the last
   * snapshot_refaults) and the active scans owed (tests, diagnostics).
   */
  workingset(): { age: number; activations: number; snapshot: number; deactivateOwed: number } {
    const s = this.state;
    return {
      age: s[NONRESIDENT_AGE],
      activations: s[WORKINGSET_ACTIVATE],
      snapshot: s[REFAULT_SNAPSHOT],
      deactivateOwed: s[DEACTIVATE_OWED],
    };
  }

  onAccess(): void {}

  size(): number {
    return this.nActive + this.nInactive;
  }

  /** NR_INACTIVE_ANON (too_many_isolated). */
  inactivePages(): number {
    return this.nInactive;
  }

  /**
   * inactive_is_low (mm/vmscan.c, 6.1-6.6) for the anon lists: gb = (inactive + active) >> (30 -
   * PAGE_SHIFT), inactive_ratio = int_sqrt(10 * gb), or 1 below 1 GiB. gb is the size the lists stand for
   * (host.scale times theirs): a 1/256 replica of a 248 GiB LRU keeps the kernel's ratio 49 (an inactive
   * list of 1/50), where its own 1 GiB would give 3 (1/4).
   */
  private inactiveIsLow(): boolean {
    const gb = Math.floor(((this.nActive + this.nInactive) * this.scale) / PAGES_PER_GIB);
    const ratio = gb > 0 ? Math.floor(Math.sqrt(10 * gb)) : 1;
    return this.nInactive * ratio < this.nActive;
  }

  /**
   * prepare_scan_count's DEACTIVATE_ANON (mm/vmscan.c, 6.1-6.4; in shrink_node before 6.2): the active
   * anon list is scanned when inactive_is_low, or when refaults were activated since the last
   * snapshot_refaults ("When refaults are being observed, it means a new workingset is being
   * established. Deactivate to get rid of any stale active pages quickly.").
   */
  private mayDeactivate(): boolean {
    return this.state[WORKINGSET_ACTIVATE] !== this.state[REFAULT_SNAPSHOT] || this.inactiveIsLow();
  }

  /**
   * snapshot_refaults (mm/vmscan.c): at the end of balance_pgdat (kswapd) and of do_try_to_free_pages
   * (direct reclaim), target_lruvec->refaults[WORKINGSET_ANON] = WORKINGSET_ACTIVATE_ANON.
   */
  snapshotRefaults(): void {
    this.state[REFAULT_SNAPSHOT] = this.state[WORKINGSET_ACTIVATE];
  }

  /** A deactivation is due: shrink_lruvec's lockstep scan owes some, or inactive_is_low (see ageStep). */
  private deactivationDue(): boolean {
    if (this.nActive === 0) {
      this.state[DEACTIVATE_OWED] = 0;
      return false;
    }
    return this.state[DEACTIVATE_OWED] > 0 || this.inactiveIsLow();
  }

  wantsAging(t: number): boolean {
    return this.deactivationDue() && this.gate.open(t);
  }

  beginAging(t: number): boolean {
    this.gate.start(t);
    this.stats[this.sb + GS_AGING_PASSES]++;
    return true;
  }

  /**
   * Deactivate up to STEP_PAGES pages; false when no deactivation is due (pass complete). Due are (1) the
   * active folios shrink_lruvec scans alongside the inactive ones: with DEACTIVATE_ANON, each iteration
   * of its loop runs shrink_list on LRU_INACTIVE_ANON then LRU_ACTIVE_ANON, SWAP_CLUSTER_MAX each
   * (for_each_evictable_lru; the active list's target, size >> priority, is 49 times the inactive's at
   * the ratio 49, so the inactive list's target ends the loop and the two are scanned one for one),
   * counted per inactive folio scanned (pickVictim); and (2) while inactive_is_low, what shrink_lruvec's
   * closing shrink_active_list(SWAP_CLUSTER_MAX) and kswapd's age_active_anon deactivate.
   */
  ageStep(r: Reclaimer): boolean {
    for (let k = 0; k < STEP_PAGES && this.deactivationDue(); k++) {
      this.deactivateTail(r);
      if (this.state[DEACTIVATE_OWED] > 0) this.state[DEACTIVATE_OWED]--;
      if (r.spent()) break;
    }
    if (this.deactivationDue()) return true;
    this.gate.end();
    return false;
  }

  /** shrink_active_list for one anonymous page: AF tested and cleared, to the inactive head. */
  private deactivateTail(r: Reclaimer): void {
    const a = this.list.tail(this.active);
    r.referenced(a, null);
    this.list.moveToHead(this.inactive, a);
    this.tag[a] = TAG_INACTIVE;
    this.nActive--;
    this.nInactive++;
  }

  pickVictim(r: Reclaimer, inlineAging: boolean): number {
    const list = this.list;
    // Bounded: each page is kept once and activated at most once per call before it is seen old.
    for (let budget = 3 * (this.nActive + this.nInactive) + 2; budget > 0; budget--) {
      if (inlineAging && this.wantsAging(r.t)) {
        this.beginAging(r.t);
        while (this.ageStep(r)) {
          /* next batch */
        }
      }
      const v = list.tail(this.inactive);
      if (v < 0) return -1; // inactive list empty: kswapd deactivates in steps, or the gate is closed
      // shrink_lruvec: one active folio scanned for each inactive one while DEACTIVATE_ANON (ageStep).
      if (this.mayDeactivate()) this.state[DEACTIVATE_OWED]++;
      if (r.referenced(v, null)) {
        // folio_check_references (mm/vmscan.c, 6.1-6.4): referenced_ptes -> folio_set_referenced, and
        // FOLIOREF_ACTIVATE only if folio_test_clear_referenced found it set; else FOLIOREF_KEEP.
        const f = this.folioFlags[v];
        this.folioFlags[v] = f | FOLIO_REFERENCED;
        if ((f & FOLIO_REFERENCED) === 0) {
          list.moveToHead(this.inactive, v);
          if (r.spent()) return SCAN_AGAIN;
          continue;
        }
        list.moveToHead(this.active, v);
        this.tag[v] = TAG_ACTIVE;
        this.nInactive--;
        this.nActive++;
        // move_folios_to_lru (mm/vmscan.c, 6.1-6.4): an activated folio ages nonresident_age.
        this.state[NONRESIDENT_AGE]++;
        if (r.spent()) return SCAN_AGAIN;
        continue;
      }
      list.remove(v);
      this.nInactive--;
      this.evict(v);
      return v;
    }
    const v = list.tail(this.inactive);
    if (v < 0) return -1;
    list.remove(v);
    this.nInactive--;
    this.evict(v);
    return v;
  }

  /**
   * The victim leaves the LRU: workingset_eviction reads nonresident_age into the shadow and advances it
   * by one (workingset_age_nonresident). The lab advances it here, when reclaim takes the folio; the
   * shadow recorded now stands for a folio freed at once (zram). One under writeback in the swap cache
   * (SSD) is freed later: the node clears this mark (Pgdat.shrinkNode) and `evicted` records the token
   * when the written folio is freed (a stated simplification: the age moved at isolation, not at the free).
   */
  private evict(v: number): void {
    this.evicted(v);
    this.state[NONRESIDENT_AGE]++;
  }
}
