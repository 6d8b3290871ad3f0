/**
 * Classic two-list LRU (Linux before MGLRU) over one lruvec (host-wide ids, mm/pgdat.ts): new pages
 * join the inactive list; reclaim scans the inactive tail (shrink_inactive_list -> shrink_folio_list ->
 * folio_check_references -> folio_referenced, through each VM's mmu notifier): young → activate,
 * old → evict. The seed series never changed this path: clear_flush_young keeps its write lock.
 *
 * Aging is reclaim-driven (agingGate.ts): when reclaim runs and the inactive list is short
 * (inactive_is_low: inactive * inactive_ratio < active, inactive_ratio = int_sqrt(10 * GiB of the
 * lists) or 1 below 1 GiB), a deactivation pass (shrink_active_list) takes pages from the active
 * tail until the inactive list is no longer short: each page's AF is tested and cleared in a hold of
 * its own (folio_referenced) and it moves to the inactive head whatever the answer, as for
 * anonymous pages. kswapd runs a pass in steps of SWAP_CLUSTER_MAX pages; direct reclaim inline.
 * Passes start at least reclaim.agingIntervalMs apart: with the inactive list empty and the gate
 * closed, this guest's eviction stalls (pickVictim returns -1).
 */
import type { DList } from '../../sim/dlist.ts';
import { GS_AGING_PASSES } from '../../sim/simLayout.ts';
import type { AgingGate } from './agingGate.ts';
import { SCAN_AGAIN, type Policy, type Reclaimer } from './policy.ts';

const TAG_ACTIVE = 1;
const TAG_INACTIVE = 2;
/** Deactivations per kswapd step (SWAP_CLUSTER_MAX). */
const STEP_PAGES = 32;
const PAGES_PER_GIB = 262_144;

/** Doubles of the policy's state: the two list sizes. */
export const ACTIVE_INACTIVE_WORDS = 2;
const N_ACTIVE = 0;
const N_INACTIVE = 1;

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
  ) {
    this.active = headBase;
    this.inactive = headBase + 1;
    if (!fresh) return;
    state[N_ACTIVE] = 0;
    state[N_INACTIVE] = 0;
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

  onMap(gfn: number): void {
    this.list.insertHead(this.inactive, gfn);
    this.tag[gfn] = TAG_INACTIVE;
    this.nInactive++;
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

  wantsAging(t: number): boolean {
    return this.inactiveIsLow() && this.gate.open(t);
  }

  beginAging(t: number): boolean {
    this.gate.start(t);
    this.stats[this.sb + GS_AGING_PASSES]++;
    return true;
  }

  /** Deactivate up to STEP_PAGES pages; false when the inactive list is no longer short (pass complete). */
  ageStep(r: Reclaimer): boolean {
    for (let k = 0; k < STEP_PAGES && this.inactiveIsLow(); k++) {
      this.deactivateTail(r);
      if (r.spent()) break;
    }
    if (this.inactiveIsLow()) return true;
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
    // Bounded: each page is activated at most once per call before it is seen old.
    for (let budget = 2 * (this.nActive + this.nInactive) + 2; budget > 0; budget--) {
      if (inlineAging && this.wantsAging(r.t)) {
        this.beginAging(r.t);
        while (this.ageStep(r)) {
          /* next batch */
        }
      }
      const v = list.tail(this.inactive);
      if (v < 0) return -1; // inactive list empty: kswapd deactivates in steps, or the gate is closed
      if (r.referenced(v, null)) {
        list.moveToHead(this.active, v);
        this.tag[v] = TAG_ACTIVE;
        this.nInactive--;
        this.nActive++;
        if (r.spent()) return SCAN_AGAIN;
        continue;
      }
      list.remove(v);
      this.nInactive--;
      return v;
    }
    const v = list.tail(this.inactive);
    if (v < 0) return -1;
    list.remove(v);
    this.nInactive--;
    return v;
  }
}
