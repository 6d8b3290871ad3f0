/**
 * One guest (one VM = one VMM process) as its owner worker sees it: stage-2 table, kvm->mmu_lock
 * (real + virtual qrwlock), TLBs, page metadata, its mmu-notifier side (harvester), and the slow
 * paths of an access: the stage-2 fault (user_mem_abort: frame allocation, maybe direct reclaim of
 * the host node in this vCPU's context, swap-in on a refault, map under the MMU lock for read), the
 * access-flag fault (handle_access_fault, read lock), the permission fault, and the eviction of one
 * of its pages by host reclaim (try_to_unmap -> mmu notifier invalidate -> kvm_unmap_gfn_range under
 * the MMU lock for write + TLB invalidate, then swap-out; emptied tables go to callRcu via MmOps).
 *
 * Every method takes the caller's virtual time and returns the time it finished.
 */
import type { ScenarioConfig } from '../../protocol.ts';
import { leafAttrs, type LeafAttrs } from '../arch/descriptor.ts';
import type { MmuLock } from '../kvm/mmuLock.ts';
import { readLock, readUnlock, writeLock, writeUnlock } from '../kvm/mmuLock.ts';
import {
  EAGAIN,
  stage2GetLeaf,
  stage2Map,
  stage2Mkyoung,
  stage2SetWritable,
  stage2Unmap,
  type Pgt,
} from '../arch/pgtable.ts';
import { rcuPoll, type RcuThread } from '../sync/rcu.ts';
import {
  C_AF_FAULT,
  C_CMPXCHG,
  C_LOCK_ACQUIRE,
  C_S2_FAULT,
  C_TLB_FLUSH_VMID,
  C_TLB_INVALIDATE,
  s2CmoNs,
} from './costs.ts';
import { IpiKick } from '../kvm/remoteTlbFlush.ts';
import { FAULTIN_FAST_NS, MmuInvalidate, mmuSeqAt } from '../kvm/mmuInvalidate.ts';
import type { Pgdat } from '../mm/pgdat.ts';
import { THROTTLE_ISOLATED_NS, WAIT_ISOLATED, WAIT_PFMEMALLOC } from '../mm/reclaimThrottle.ts';
import { SSD_SWAP_WRITE_NS, swapInNs, swapOutNs } from '../mm/swap.ts';
import { swapClusterReadahead, type SwapArea } from '../mm/swapReadahead.ts';
import { cpuOfVcpu, KSWAPD_CPU } from '../mm/swapSlots.ts';
import type { Harvester } from '../kvm/mmuNotifier.ts';
import type { HostFrames } from '../mm/hostFrames.ts';
import type { Policy } from '../mm/policy/policy.ts';
import {
  GS_AF_FAULTS,
  GS_COLD,
  GS_DIRECT_RECLAIM,
  GS_EVICTIONS,
  GS_IPI_FLUSH_NS,
  GS_IPI_KICKS,
  GS_KSWAPD_WRITE_WAIT_NS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_PERM_FAULTS,
  GS_PRESSURE_NS,
  GS_RA_HITS,
  GS_WB_FAULTS,
  GS_WB_PAGES,
  GS_RECLAIM_OWED,
  GS_REFAULTS,
  GS_REFAULTS_IN_WINDOW,
  GS_RESIDENT,
  GS_S2_FAULTS,
  GS_STALL_NS,
  GS_THROTTLED,
  GS_THROTTLE_NS,
  GS_PFMEMALLOC_THROTTLED,
  GS_PFMEMALLOC_NS,
  GS_TLBI,
  GS_TLB_FLUSH_VM,
  GS_WORDS,
  OH_WORDS,
  PG_HOST,
  PG_HOST_YOUNG,
  PG_LRU,
  PG_RESIDENT,
  PG_SWAPCACHE,
  PG_SWAPPED,
  PG_TOUCHED,
} from './simLayout.ts';
import { VmTlbFlush, type Tlbs } from '../arch/tlb.ts';
import { vclock, type VLock } from '../sync/vlock.ts';
import { SharedVLock } from '../sync/vlockShared.ts';
import { clearPageFlags, setPageFlags, updatePageFlags } from '../mm/pageFlags.ts';

/**
 * The unmap's TLB maintenance: kvm_unmap_gfn_range -> stage2_unmap_walker -> __kvm_tlb_flush_vmid_ipa,
 * inside the write hold: TLBI IPAS2E1IS + DSB ISH, then TLBI VMALLE1IS + DSB ISH ("the whole of
 * Stage-1", the VA being unknown): two broadcast invalidates with their completion, each the DVM round
 * trip tlbInvalidate stands for (estimate: the VMID-wide stage-1 one costs the same as the per-IPA one).
 */
export const UNMAP_TLBIS = 2;

/**
 * Write-hold of one page's unmap (Guest.evictOne and the replay's copy of it share this): the PTE
 * clear, the TLBIs, and without FEAT_S2FWB stage2_unmap_walker's dcache_clean_inval_poc of the page
 * (cmoNs: s2CmoNs), all inside kvm_unmap_gfn_range's write hold.
 */
export function unmapHoldNs(c: Float64Array, cmoNs: number): number {
  return c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + UNMAP_TLBIS * c[C_TLB_INVALIDATE] + cmoNs;
}

/**
 * Write-hold of the second half of one folio's unmap: try_to_unmap_one brackets its PTE clear with
 * mmu_notifier_invalidate_range_start / _end, and KVM's kvm_mmu_notifier_invalidate_range_end
 * (virt/kvm/kvm_main.c, v6.1-v6.6) goes through __kvm_handle_hva_range with handler kvm_null_fn and
 * on_lock kvm_mmu_invalidate_end: for the memslot covering the hva it takes KVM_MMU_LOCK (write_lock
 * on arm64) again, bumps mmu_invalidate_seq and decrements mmu_invalidate_in_progress, and unlocks.
 * So every folio try_to_unmap takes off a VM costs two write holds, never batched across folios
 * (shrink_folio_list batches only the primary MMU's TLB flush: TTU_BATCH_FLUSH, try_to_unmap_flush).
 * The hold is the acquire/release and two stores on lines the lock's owner has just written: the
 * lockAcquire estimate, nothing added.
 */
export function invalidateEndHoldNs(c: Float64Array): number {
  return c[C_LOCK_ACQUIRE];
}

/**
 * Read-hold of a stage-2 fault's map (Guest.fault and the replay's copy share this): user_mem_abort
 * holds kvm->mmu_lock for read around kvm_pgtable_stage2_map, whose stage2_map_walker_try_leaf cleans
 * the new page to PoC before making the leaf valid when the stage-2 has no FWB (cmoNs: s2CmoNs).
 * The lab's mappings are data (never executable): no icache_inval_pou.
 */
export function mapHoldNs(c: Float64Array, cmoNs: number): number {
  return c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + cmoNs;
}

/** Pages one direct-reclaim or kswapd round evicts (the kernel's SWAP_CLUSTER_MAX). */
export const SWAP_CLUSTER_MAX = 32;
/** Guest.fault's result when its direct reclaim stopped between two folios (see fault). */
export const FAULT_SUSPENDED = -2;
/** A vCPU's fault suspended in direct reclaim: doubles per vCPU in Guest.suspended. */
const SUS_PHASE = 0; //      PHASE_*
const SUS_T0 = 1; //         the fault's start (the trap)
const SUS_RECLAIM_NS = 2; // reclaim time so far
const SUS_LEFT = 3; //       evictions left in the cluster
const SUS_EVICTED = 4; //    evictions of the cluster so far
const SUS_AT = 5; //         when it stopped (throttled: when it fell asleep)
const SUS_SAMPLE = 6; //     PHASE_MAP_LOCK: when user_mem_abort read kvm->mmu_invalidate_seq (mmu_seq)
const SUS_WORDS = 7;
/**
 * No cluster in progress / a cluster owed to the min watermark (deferMin) / one for a frame now /
 * asleep in reclaim_throttle(VMSCAN_THROTTLE_ISOLATED) before isolating a cluster's batch.
 */
const PHASE_NONE = 0;
const PHASE_OWED = 1;
const PHASE_SHORT = 2;
const PHASE_THROTTLED = 3;
/**
 * The frame is in and mapped; the fault's read hold of kvm->mmu_lock (user_mem_abort after
 * __kvm_faultin_pfn's swap-in sleep) is booked when the vCPU resumes at SUS_AT. SUS_LEFT: 1 for a refault.
 */
const PHASE_MAP_LOCK = 4;
/**
 * Asleep in throttle_direct_reclaim on pgdat->pfmemalloc_wait (try_to_free_pages' first step), until
 * kswapd wakes the queue (Pgdat.kswapdShrunk / kswapdSleeps); SUS_AT: when it (last) fell asleep.
 */
const PHASE_PFMEMALLOC = 5;
const PAGE = 4096;
/** Guest.map: another vCPU (on another worker, spread runs) mapped the gfn first. */
const MAPPED_BY_OTHER = 1;
/** Frame numbers are (guest << FRAME_GUEST_SHIFT) + gfn: unique per page, host count kept apart. */
const FRAME_GUEST_SHIFT = 28;

export interface GuestParts {
  index: number;
  pages: number;
  pinned: boolean;
  pgt: Pgt;
  lock: MmuLock;
  vlock: VLock;
  rcu: RcuThread;
  tlbs: Tlbs | null;
  /** Spread runs: the guest's flush counts in shared memory (arch/tlb.ts VmTlbFlush); else local. */
  tlbGens?: Int32Array;
  flags: Uint8Array;
  evictedAt: Float32Array;
  /** This guest's eviction-precision buckets: [0, n) evictions, [n, 2n) refaults in window (simLayout.ts). */
  evictBuckets: Float64Array;
  stats: Float64Array;
  costs: Float64Array;
  host: HostFrames;
  config: ScenarioConfig;
  /** Several workers: settle the min watermark at quantum boundaries (Guest.fault). */
  deferMin: boolean;
  /** Operation latency histograms (all guests) and this guest's offset in them (opHist.ts). */
  opHist: Float64Array;
}

export class Guest {
  readonly index: number;
  readonly pages: number;
  readonly pinned: boolean;
  readonly pgt: Pgt;
  readonly lock: MmuLock;
  readonly vlock: VLock;
  readonly rcu: RcuThread;
  readonly tlbs: Tlbs | null;
  /** kvm_flush_remote_tlbs: the VM's flush generation, seen by each vCPU (arch/tlb.ts). */
  readonly tlbFlush: VmTlbFlush;
  /**
   * x86's IPI flush (hardware remoteTlbFlush 'ipi-kick', kvm/remoteTlbFlush.ts): which vCPUs are in
   * guest mode, and the exits they owe. null with arm64's TLBI broadcast (the default).
   */
  readonly kick: IpiKick | null;
  readonly flushOnClear: boolean;
  readonly flags: Uint8Array;
  readonly evictedAt: Float32Array;
  readonly evictBuckets: Float64Array;
  readonly stats: Float64Array;
  /** Base of this guest's counters in `stats`. */
  readonly sb: number;
  readonly costs: Float64Array;
  /** Cache maintenance of one page in a stage-2 map or unmap (s2CmoNs: 0 with FEAT_S2FWB). */
  readonly cmoNs: number;
  readonly host: HostFrames;
  readonly opHist: Float64Array;
  readonly opHistBase: number;
  /** The host node whose reclaim this guest's faults enter (direct reclaim). */
  pgdat!: Pgdat;
  /** The node's swap slots with a block swap device (pgdat.swap, mm/swapReadahead.ts); null with zram. */
  swapArea: SwapArea | null = null;
  /** This guest's page ids on the host lruvec start here (pgdat.idOf). */
  idBase = 0;
  /** The lruvec holding this guest's pages (host-wide or its memcg's). */
  lruvec!: Policy;
  harvester!: Harvester;
  /**
   * Where a mapped page goes (folio_add_lru): null = the lruvec itself; in a spread run the worker's
   * lru_add batch (mm/lruAdd.ts), which sets PG_LRU as it moves. Reclaim uses `lruvec`.
   */
  lruAdd: { onMap(id: number): void } | null = null;
  private readonly demandOnly: boolean;
  private readonly reserve: number;
  /** Parallel runs: the min-watermark check is settled at the barrier (GS_RECLAIM_OWED), see fault. */
  private readonly deferMin: boolean;
  private readonly windowNs: number;
  /** A refault's wait for the swap device (mm/swap.ts: zram = the profile's swapIn, SSD = a block read). */
  readonly swapInNs: number;
  /** The reclaimer's cost of one page's swap-out (mm/swap.ts: zram compresses inline, an SSD write is async). */
  readonly swapOutNs: number;
  private readonly frameBase: number;
  private readonly bucketNs: number;
  private readonly buckets: number;
  /**
   * PG_HOST_YOUNG when reclaim.mapYoung (mm/hostPte.ts: the kernel maps both the host PTE and the
   * stage-2 young; mapYoung = false is the what-if where neither carries the fault as an access).
   */
  private readonly hostYoungOnMap: number;
  private readonly attrLoByWrite: [ReturnType<typeof leafAttrs>, ReturnType<typeof leafAttrs>];
  /** Per vCPU (SUS_WORDS each): a fault suspended between two folios of its direct reclaim. */
  private readonly suspended: Float64Array;
  /** The time at which the last fault that returned FAULT_SUSPENDED stopped. */
  resumeAt = 0;
  /** A spread run's VM: the invalidations are read from the shared MMU-lock calendar (SharedVLock.writeMeets). */
  private readonly sharedLock: boolean;
  /** mmu_invalidate_seq / _in_progress and mmu_invalidate_retry for this VM (kvm/mmuInvalidate.ts). */
  readonly mmuInvalidate: MmuInvalidate;
  /**
   * Set by fault when the caller should end its scheduler step after this access: it woke kswapd
   * (whose first steps must be booked in virtual-time order with this vCPU's), or a throttled
   * reclaimer. The vCPU clears it.
   */
  yieldNow = false;
  /**
   * Set with FAULT_SUSPENDED when the fault fell asleep in reclaim_throttle: the time it did (else -1).
   * The vCPU queues itself (Pgdat.throttle) and resets it.
   */
  throttledAt = -1;
  /** The wait queue of that sleep (Pgdat WAIT_ISOLATED or WAIT_PFMEMALLOC). */
  throttleQueue = WAIT_ISOLATED;

  constructor(p: GuestParts) {
    this.index = p.index;
    this.pages = p.pages;
    this.pinned = p.pinned;
    this.pgt = p.pgt;
    this.lock = p.lock;
    this.vlock = p.vlock;
    this.sharedLock = p.vlock instanceof SharedVLock;
    this.rcu = p.rcu;
    this.tlbs = p.tlbs;
    this.tlbFlush = new VmTlbFlush(p.config.guests[p.index].vcpus, p.tlbs, p.tlbGens);
    this.kick =
      p.config.hardware.remoteTlbFlush === 'ipi-kick' ? new IpiKick(p.config.guests[p.index].vcpus, p.costs) : null;
    this.flushOnClear = p.config.reclaim.tlb.flushOnClear;
    this.flags = p.flags;
    this.evictedAt = p.evictedAt;
    this.evictBuckets = p.evictBuckets;
    this.buckets = p.evictBuckets.length >> 1;
    this.bucketNs = p.config.run.sampleIntervalMs * 1e6;
    this.stats = p.stats;
    this.sb = p.index * GS_WORDS;
    this.costs = p.costs;
    this.cmoNs = s2CmoNs(p.config.hardware, p.costs);
    this.mmuInvalidate = new MmuInvalidate({
      vcpus: p.config.guests[p.index].vcpus,
      vlock: p.vlock,
      shared: this.sharedLock,
      stats: p.stats,
      sb: this.sb,
      costs: p.costs,
      mapHold: mapHoldNs(p.costs, this.cmoNs),
    });
    this.host = p.host;
    this.opHist = p.opHist;
    this.opHistBase = p.index * OH_WORDS;
    this.demandOnly = p.config.run.demandOnly;
    this.deferMin = p.deferMin && !this.demandOnly && !this.pinned;
    this.reserve = this.demandOnly || this.deferMin ? 0 : p.host.min;
    this.windowNs = p.config.run.refaultWindowMs * 1e6;
    this.swapInNs = swapInNs(p.config, p.costs);
    this.swapOutNs = swapOutNs(p.config, p.costs);
    this.frameBase = p.index * 2 ** FRAME_GUEST_SHIFT;
    const young = p.config.reclaim.mapYoung;
    this.hostYoungOnMap = young ? PG_HOST_YOUNG : 0;
    this.attrLoByWrite = [leafAttrs({ write: false, young }), leafAttrs({ write: true, young })];
    this.suspended = new Float64Array(p.config.guests[p.index].vcpus * SUS_WORDS);
  }

  /** What a vCPU needs of the LRU: exact LRU sees every access (vcpu.ts calls policy.onAccess(gfn)). */
  get policy(): { readonly seesEveryAccess: boolean; onAccess(gfn: number): void } {
    return this;
  }

  get seesEveryAccess(): boolean {
    return this.lruvec.seesEveryAccess;
  }

  onAccess(gfn: number): void {
    this.lruvec.onAccess(this.idBase + gfn);
  }

  private map(gfn: number, attrs: LeafAttrs): number {
    readLock(this.lock);
    let r: number;
    for (;;) {
      r = stage2Map(this.pgt, gfn * PAGE, PAGE, this.frameBase + gfn, attrs, { shared: true });
      if (r !== EAGAIN) break;
      // EAGAIN on a valid leaf: a vCPU on another worker mapped this gfn first (spread runs; the
      // kernel's !stage2_pte_needs_update spurious fault). Otherwise a racing writer holds the entry.
      if (stage2GetLeaf(this.pgt, gfn * PAGE) >= 0) {
        r = MAPPED_BY_OTHER;
        break;
      }
    }
    readUnlock(this.lock);
    return r;
  }

  /**
   * Stage-2 fault on `gfn` by vCPU `vi` at virtual time t (the trap is charged here). Returns the
   * finish time; or -1 when no frame can be had now (nothing evictable on the host node): the vCPU
   * retries later, after kswapd had a chance to run; or FAULT_SUSPENDED when its direct reclaim
   * stopped between two folios at a time >= limit (the vCPU's scheduling limit, simCore.ts), or when
   * the frame was ready (swap-in, readahead wait, allocation) at or past limit, before the read hold
   * of kvm->mmu_lock is booked (PHASE_MAP_LOCK): the time is in `resumeAt`, and the vCPU calls fault
   * again for the same gfn at that time to go on.
   */
  fault(gfn: number, write: boolean, t: number, vi = 0, limit = Infinity): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const sus = this.suspended;
    const o = vi * SUS_WORDS;
    let t0 = t;
    let now: number;
    let reclaimNs = 0;
    // Allocate the frame first (as KVM's fault path does, before taking mmu_lock): maybe reclaim.
    // One worker: direct reclaim when free frames are at the min watermark (reserve), decided at
    // this fault's virtual time. Several workers: the shared free count mixes the other workers'
    // virtual futures and pasts with ours, so "who finds the host at min first" would be decided by
    // which worker runs ahead in real time. Instead the fault takes any existing frame, and the
    // serial section turns the min-watermark deficit into reclaim clusters owed by the guests in
    // proportion to their faults of the quantum (simCore.ts settleMinWatermark): the expected share
    // each guest pays in the one-worker interleaving, where the payer is whoever faults at min.
    // Direct reclaim (__alloc_pages_direct_reclaim -> shrink_node) runs in this vCPU's context on
    // the host node: with the host lruvec its victims may be any guest's pages.
    // A cluster (SWAP_CLUSTER_MAX evictions) runs folio by folio (Pgdat.directReclaimStep), as
    // shrink_folio_list does: each folio's MMU-lock holds are booked when the step runs, so the
    // vCPU yields between folios once past its limit and other actors' earlier requests go first.
    let phase: number;
    let left = 0;
    let evicted = 0;
    // Back from pfmemalloc_wait: straight into reclaim (throttle_direct_reclaim returned).
    let skipFreelist = false;
    const pg = this.pgdat;
    if (sus[o + SUS_PHASE] === PHASE_MAP_LOCK) {
      sus[o + SUS_PHASE] = PHASE_NONE;
      return this.mapLocked(
        gfn,
        write,
        vi,
        limit,
        t,
        sus[o + SUS_T0],
        sus[o + SUS_RECLAIM_NS],
        sus[o + SUS_LEFT] === 1,
        sus[o + SUS_SAMPLE],
      );
    }
    if (sus[o + SUS_PHASE] !== PHASE_NONE) {
      phase = sus[o + SUS_PHASE];
      t0 = sus[o + SUS_T0];
      reclaimNs = sus[o + SUS_RECLAIM_NS];
      left = sus[o + SUS_LEFT];
      evicted = sus[o + SUS_EVICTED];
      sus[o + SUS_PHASE] = PHASE_NONE;
      now = t;
      if (phase === PHASE_PFMEMALLOC) {
        // Woken by kswapd (wake_up_all(&pgdat->pfmemalloc_wait)): wait_event_killable checks its
        // condition again; still not allow_direct_reclaim, it sleeps again (one PGSCAN_DIRECT_THROTTLE);
        // else try_to_free_pages goes on into do_try_to_free_pages: a cluster, no freelist retry first.
        s[sb + GS_PFMEMALLOC_NS] += t - sus[o + SUS_AT];
        reclaimNs += t - sus[o + SUS_AT];
        if (pg.mustThrottleDirect(now)) return this.sleepPfmemalloc(vi, t0, reclaimNs, now);
        phase = PHASE_NONE;
        skipFreelist = true;
      } else if (phase === PHASE_THROTTLED) {
        // Woken (wake_throttle_isolated) or timed out. shrink_inactive_list checks once more
        // (stalled = true): still too many, it returns having reclaimed nothing and the allocator
        // retries its freelists (the frames others freed meanwhile), else it isolates its batch.
        s[sb + GS_THROTTLE_NS] += t - sus[o + SUS_AT];
        reclaimNs += t - sus[o + SUS_AT];
        if (pg.tooManyIsolated(this.lruvec, now)) phase = PHASE_NONE;
        else {
          phase = PHASE_SHORT;
          pg.isolate();
        }
      }
    } else {
      now = t + c[C_S2_FAULT];
      phase = PHASE_NONE;
      if (this.deferMin && s[sb + GS_RECLAIM_OWED] > 0) {
        s[sb + GS_RECLAIM_OWED]--;
        phase = PHASE_OWED;
        left = SWAP_CLUSTER_MAX;
        pg.isolate();
      }
    }
    for (;;) {
      if (phase === PHASE_NONE) {
        // A page the VMM pre-faulted (PG_HOST): its folio is in memory already (the memfd's page cache),
        // so hva_to_pfn finds it and nothing is allocated: no frame, no reclaim, no swap-in. So is a
        // page swap readahead brought into the swap cache (PG_SWAPCACHE, mm/swapReadahead.ts).
        if (!skipFreelist) {
          if ((this.flags[gfn] & (PG_HOST | PG_SWAPCACHE)) !== 0) break;
          // __alloc_pages: the fast path's get_page_from_freelist needs free pages above the low
          // watermark; below it the slow path wakes kswapd (wake_all_kswapds -> wakeup_kswapd) and
          // retries against the min watermark (ALLOC_WMARK_MIN): `reserve`. Only below min does the
          // fault enter direct reclaim (__alloc_pages_direct_reclaim -> try_to_free_pages -> shrink_node).
          // A spread run's worker >= 1 has no kswapd (worker 0 runs the node's one): it polls (mm/kswapd.ts).
          if (pg.kswapdTask !== null && this.host.free() <= this.host.low && pg.wakeKswapd(now)) this.yieldNow = true;
          if (this.host.tryTake(this.reserve)) break;
          // try_to_free_pages -> throttle_direct_reclaim (mm/vmscan.c, 6.1-6.6): a user task (the vCPU
          // thread: not PF_KTHREAD) sleeps on pgdat->pfmemalloc_wait while !allow_direct_reclaim (free
          // pages <= half the min watermarks), killable and without timeout: GFP_HIGHUSER_MOVABLE has
          // __GFP_FS. One worker only: with the deferred min watermark (parallel runs) the shared free
          // count mixes workers' virtual times and dips to 0 by construction (see above).
          if (!this.deferMin && !this.demandOnly && pg.mustThrottleDirect(now)) {
            s[sb + GS_PFMEMALLOC_THROTTLED]++;
            return this.sleepPfmemalloc(vi, t0, reclaimNs, now);
          }
        }
        skipFreelist = false;
        left = this.demandOnly ? 1 : SWAP_CLUSTER_MAX;
        evicted = 0;
        // shrink_inactive_list: too_many_isolated -> reclaim_throttle(pgdat, VMSCAN_THROTTLE_ISOLATED):
        // asleep until another direct reclaimer finds isolation back under the limit, or HZ/50.
        if (pg.tooManyIsolated(this.lruvec, now)) {
          s[sb + GS_THROTTLED]++;
          this.throttledAt = now;
          this.throttleQueue = WAIT_ISOLATED;
          return this.suspend(vi, PHASE_THROTTLED, t0, reclaimNs, left, 0, now, now + THROTTLE_ISOLATED_NS);
        }
        phase = PHASE_SHORT;
        pg.isolate();
      }
      const before = now;
      now = pg.directReclaimStep(now, this.lruvec, cpuOfVcpu(this.index, vi));
      reclaimNs += now - before;
      if (pg.lastEvicted > 0) {
        s[sb + GS_DIRECT_RECLAIM]++;
        evicted++;
        left--;
      }
      if (left === 0 || (pg.lastEvicted === 0 && !pg.scanAgain)) {
        pg.putback(); // the batch is freed or back on the LRU: NR_ISOLATED_ANON falls
        // The cluster is over: a short one that freed nothing means nothing is evictable now.
        if (phase === PHASE_SHORT && evicted === 0) {
          // A resumed fault's clock already moved on: that time was spent waiting for a frame.
          s[sb + GS_STALL_NS] += t - t0;
          s[sb + GS_PRESSURE_NS] += t - t0;
          return -1;
        }
        phase = PHASE_NONE;
        continue;
      }
      if (now >= limit) return this.suspend(vi, phase, t0, reclaimNs, left, evicted, now, now);
    }
    const f = this.flags[gfn];
    if ((f & PG_RESIDENT) !== 0) {
      // Only after a suspension: another vCPU faulted gfn in meanwhile. user_mem_abort would find the
      // PTE valid (-EAGAIN from the map walker: a spurious fault) and free the page it allocated.
      this.host.put(1);
      s[sb + GS_STALL_NS] += now - t0;
      s[sb + GS_PRESSURE_NS] += reclaimNs;
      return now;
    }
    // Pre-faulted by the VMM: the frame is held and the folio is on the host LRU already.
    const prefaulted = (f & PG_HOST) !== 0;
    // Read ahead into the swap cache: already on the LRU and counted resident.
    const cached = (f & PG_SWAPCACHE) !== 0;
    const refault = (f & PG_SWAPPED) !== 0;
    const area = this.swapArea;
    const written = cached && area !== null ? area.writeback.get(this.idBase + gfn) : undefined;
    if (written !== undefined && area !== null) {
      // shmem_swapin_folio -> swap_cache_get_folio finds a folio this guest's memory swapped out, still
      // under writeback or written and not yet freed (mm/swap.ts): no read; folio_wait_writeback waits
      // for the write, then delete_from_swap_cache and swap_free_nr as for any swap-cache hit. Not a
      // readahead hit (no PG_readahead). The folio goes back on the LRU below.
      const id = this.idBase + gfn;
      area.writeback.delete(id);
      s[sb + GS_WB_FAULTS]++;
      if (written > now) now = written;
      area.free(id, cpuOfVcpu(this.index, vi));
    } else if (cached && area !== null) {
      // shmem_swapin_folio -> swap_cache_get_folio finds the folio (a readahead hit): no I/O, unless its
      // read is still in flight (folio_lock waits for it). The slot is freed as the folio moves to the
      // memfd's page cache (delete_from_swap_cache, swap_free_nr).
      const id = this.idBase + gfn;
      area.hit();
      s[sb + GS_RA_HITS]++;
      const ready = area.readyAt(area.slot(id));
      if (ready > now) now = ready;
      area.free(id, cpuOfVcpu(this.index, vi));
    } else if (refault && area !== null) {
      // A block device: shmem_swapin_cluster -> swap_cluster_readahead, one request for the window.
      const id = this.idBase + gfn;
      now = swapClusterReadahead(pg, area, id, now, s, sb, this.host.min);
      area.free(id, cpuOfVcpu(this.index, vi));
    } else if (refault) now += this.swapInNs; // zram: SWP_SYNCHRONOUS_IO, no swap cache, no readahead
    // user_mem_abort (arch/arm64/kvm/mmu.c): __kvm_faultin_pfn resolved the pfn above, sleeping for
    // the swap-in without kvm->mmu_lock (mmu_invalidate_seq recorded before it); then
    // read_lock(&kvm->mmu_lock), mmu_invalidate_retry, and kvm_pgtable_stage2_map with its CMO (a
    // pre-faulted page too: its first stage-2 leaf is new). The table update and the folio's state
    // change now, in this step; the read hold is booked at `now`, the end of the sleep: in this step
    // when `now` is before the vCPU's scheduling limit, else in the vCPU's next step (FAULT_SUSPENDED,
    // PHASE_MAP_LOCK), once the scheduler has run the actors that are earlier in virtual time, so
    // their MMU-lock requests are booked first, in virtual-time order, as qrwlock would queue them.
    const hold = mapHoldNs(c, this.cmoNs);
    // user_mem_abort read mmu_seq before __gfn_to_pfn_memslot, i.e. before the reclaim and swap-in above.
    const sample = mmuSeqAt(c, t0);
    const attrs = this.attrLoByWrite[write ? 1 : 0];
    let r = this.map(gfn, attrs);
    // ENOMEM: every free table page is an unlinked one waiting for its RCU grace period (cheap runs
    // unlink and relink tables faster than quanta end). KVM's fault path would fail its memory-cache
    // top-up and retry; here the ripe frees run now (rcuPoll, as at a quantum's end) and the map retries.
    for (let tries = 0; r !== 0 && r !== MAPPED_BY_OTHER && tries < 3; tries++) {
      rcuPoll(this.rcu);
      r = this.map(gfn, attrs);
    }
    if (r === MAPPED_BY_OTHER) {
      // Spread runs: a vCPU on another worker faulted the same gfn in at the same time and mapped it
      // first. Its fault did the work (frame, LRU, counters); this one gives its frame back and returns.
      // It would have returned -EAGAIN before the CMO; the hold is charged anyway (rare).
      this.host.put(1);
      const start = this.vlock.read(now, hold, false);
      s[sb + GS_LOCK_WAIT_NS] += start - now;
      s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
      s[sb + GS_LOCK_HOLD_NS] += hold;
      now = start + hold;
      s[sb + GS_STALL_NS] += now - t0;
      return now;
    }
    if (r !== 0) throw new Error(`stage-2 map of guest ${this.index} gfn ${gfn} failed (${r}): table arena exhausted`);
    if (refault) {
      s[sb + GS_REFAULTS]++;
      const evictedAt = this.evictedAt[gfn];
      if (t0 - evictedAt <= this.windowNs) {
        s[sb + GS_REFAULTS_IN_WINDOW]++;
        this.evictBuckets[this.buckets + this.bucketOf(evictedAt)]++;
      }
    } else {
      s[sb + GS_COLD]++;
    }
    // The fault installed the VMM's host PTE young (mm/hostPte.ts: do_anonymous_page / do_swap_page /
    // shmem_fault -> finish_fault, PTE_AF in arm64's PAGE_*), unless the VMM's pre-fault had (PG_HOST:
    // hva_to_pfn_fast finds the PTE, nothing is installed, its bit stays as it was).
    // One transition from the byte as it is now (mm/pageFlags.ts): a PG_LRU another worker's lru_add set,
    // or a host-young clear by reclaim on another worker since `f` was read, is kept.
    updatePageFlags(
      this.flags,
      gfn,
      0xff & ~(PG_SWAPPED | PG_LRU | (prefaulted ? PG_HOST_YOUNG : 0)),
      PG_RESIDENT | PG_TOUCHED | (prefaulted ? 0 : this.hostYoungOnMap),
    );
    if (!prefaulted && !cached) s[sb + GS_RESIDENT]++;
    s[sb + GS_S2_FAULTS]++;
    // Pinned (protected) memory is unevictable: it never joins the LRU. A pre-faulted page is on it
    // already, where the VMM's write put it; the stage-2 AF set by this map is what aging finds young.
    if (!this.pinned && !prefaulted && (!cached || written !== undefined)) {
      (this.lruAdd ?? this.lruvec).onMap(this.idBase + gfn);
    }
    // Only when another actor of this worker is earlier (it may still ask for the lock before `now`):
    // a vCPU alone, or stopped by the quantum's end with nobody behind it, books at once.
    if (now >= limit && now > vclock.others) return this.suspendForMapLock(vi, t0, reclaimNs, refault, now, sample);
    return this.mapLocked(gfn, write, vi, limit, now, t0, reclaimNs, refault, sample);
  }

  /**
   * Fall asleep on pgdat->pfmemalloc_wait at `now` (throttle_direct_reclaim's wait_event_killable):
   * FAULT_SUSPENDED with resumeAt +Infinity; the vCPU queues itself (Pgdat.throttle, WAIT_PFMEMALLOC)
   * and kswapd's wake_up_all sets its clock. allow_direct_reclaim woke kswapd if it slept: yield.
   */
  private sleepPfmemalloc(vi: number, t0: number, reclaimNs: number, now: number): number {
    if (this.pgdat.wokeKswapd) {
      this.pgdat.wokeKswapd = false;
      this.yieldNow = true;
    }
    this.throttledAt = now;
    this.throttleQueue = WAIT_PFMEMALLOC;
    return this.suspend(vi, PHASE_PFMEMALLOC, t0, reclaimNs, 0, 0, now, Infinity);
  }

  /**
   * Record vCPU `vi`'s fault as suspended in `phase` at `at` (its resumable state: the fault's start t0,
   * the reclaim time so far, the direct-reclaim batch's pages left and evicted); the vCPU's step ends and
   * it resumes at `resumeAt` (+Infinity: until woken). Returns FAULT_SUSPENDED.
   */
  private suspend(
    vi: number,
    phase: number,
    t0: number,
    reclaimNs: number,
    left: number,
    evicted: number,
    at: number,
    resumeAt: number,
  ): number {
    const o = vi * SUS_WORDS;
    const sus = this.suspended;
    sus[o + SUS_PHASE] = phase;
    sus[o + SUS_T0] = t0;
    sus[o + SUS_RECLAIM_NS] = reclaimNs;
    sus[o + SUS_LEFT] = left;
    sus[o + SUS_EVICTED] = evicted;
    sus[o + SUS_AT] = at;
    this.resumeAt = resumeAt;
    return FAULT_SUSPENDED;
  }

  /**
   * Suspend vCPU `vi`'s fault before user_mem_abort's read_lock, to book the map's read hold in its next
   * step (PHASE_MAP_LOCK), once earlier actors of this worker have booked theirs.
   */
  private suspendForMapLock(
    vi: number,
    t0: number,
    reclaimNs: number,
    refault: boolean,
    now: number,
    sample: number,
  ): number {
    // SUS_LEFT carries `refault` in this phase; SUS_SAMPLE when mmu_seq was read.
    this.suspended[vi * SUS_WORDS + SUS_SAMPLE] = sample;
    return this.suspend(vi, PHASE_MAP_LOCK, t0, reclaimNs, refault ? 1 : 0, 0, now, now);
  }

  /**
   * The end of a stage-2 fault (user_mem_abort, arch/arm64/kvm/mmu.c, v6.1-v6.6), asked at `now`:
   * read_lock(&kvm->mmu_lock), then `if (mmu_invalidate_retry(kvm, mmu_seq)) goto out_unlock` with mmu_seq
   * read at `sample`, else kvm_pgtable_stage2_map (the hold: mapHoldNs). On a retry the fault returns 0
   * with nothing mapped, kvm_handle_guest_abort re-enters the guest, which re-executes the access and takes
   * the stage-2 fault again: its cost (refaultNs: the trap and user_mem_abort's fast path, the page being
   * resolved already) then the same read_lock and check, with mmu_seq read anew. The lab's table
   * was updated when the fault's first step ran; a retry only delays the fault's end (and the leaf is
   * visible early, to aging, meanwhile). If reclaim unmapped this very gfn meanwhile, the new fault starts
   * over (swap-in). Returns the fault's finish time, or FAULT_SUSPENDED when the re-fault's request lies
   * past the vCPU's scheduling limit (PHASE_MAP_LOCK, as after a swap-in).
   */
  private mapLocked(
    gfn: number,
    write: boolean,
    vi: number,
    limit: number,
    now: number,
    t0: number,
    reclaimNs: number,
    refault: boolean,
    sample: number,
  ): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const mapHold = mapHoldNs(c, this.cmoNs);
    const inval = this.mmuInvalidate;
    for (;;) {
      // Known at the request (an invalidation began before it and ended after the sample): the hold is the
      // check alone, the lock's acquire and release. Else the map's; a retry found only at the grant (the
      // fault waited behind an invalidation) keeps the map's hold: over-charged by cmpxchg + CMO (rare).
      // The two checks and the booking in one section of the shared calendar (VLock.enterSection). No
      // try/finally (it cost ~5 % of a one-thread spread run's CPU, bench/_spreadCost.ts interleaved): an
      // exception in between ends the run, and the host then terminates every worker (engine.ts
      // terminateAll), so the calendar's mutex left held cannot hang a peer.
      this.vlock.enterSection();
      const early = inval.retry(sample, now);
      const hold = early ? c[C_LOCK_ACQUIRE] : mapHold;
      const start = this.vlock.read(now, hold, false);
      // Not resident with no invalidation seen: evicted in an actor's step booked out of virtual-time
      // order (within the scheduler's slack); the kernel's check would have seen it, so this retries too.
      const resident = (this.flags[gfn] & PG_RESIDENT) !== 0;
      const mapped = !early && resident && !inval.retry(sample, start);
      this.vlock.exitSection();
      const lockWait = start - now;
      s[sb + GS_LOCK_WAIT_NS] += lockWait;
      s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
      s[sb + GS_LOCK_HOLD_NS] += hold;
      const unlocked = start + hold;
      if (mapped) {
        if (this.sharedLock) inval.keep(vi, sample, start);
        s[sb + GS_STALL_NS] += unlocked - t0;
        // Unconstrained, a refault would have been a hit and a first touch would neither reclaim nor wait
        // (every MMU-lock writer is reclaim or aging, every invalidation reclaim's).
        s[sb + GS_PRESSURE_NS] += refault ? unlocked - t0 : reclaimNs + lockWait;
        return unlocked;
      }
      inval.retries++;
      if (!resident) {
        // Reclaim unmapped this gfn while the fault slept: the guest's next fault is a full one.
        s[sb + GS_STALL_NS] += unlocked - t0;
        s[sb + GS_PRESSURE_NS] += refault ? unlocked - t0 : reclaimNs + lockWait;
        return this.fault(gfn, write, unlocked, vi, limit);
      }
      // The retry's time (the wait, the check, the re-fault) is pressure: unconstrained nothing invalidates.
      const next = unlocked + inval.refaultNs;
      reclaimNs += next - now;
      now = next;
      sample = next - FAULTIN_FAST_NS;
      if (now >= limit && now > vclock.others) return this.suspendForMapLock(vi, t0, reclaimNs, refault, now, sample);
    }
  }

  /** Access-flag fault (no FEAT_HAFDBS): trap, MMU lock for read, mkyoung, return. */
  afFault(gfn: number, t: number): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const trapped = t + c[C_AF_FAULT];
    const hold = c[C_LOCK_ACQUIRE] + c[C_CMPXCHG];
    const start = this.vlock.read(trapped, hold, false);
    s[sb + GS_LOCK_WAIT_NS] += start - trapped;
    s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    readLock(this.lock);
    stage2Mkyoung(this.pgt, gfn * PAGE);
    readUnlock(this.lock);
    const end = start + hold;
    s[sb + GS_LOCK_HOLD_NS] += hold;
    s[sb + GS_AF_FAULTS]++;
    s[sb + GS_STALL_NS] += end - t;
    // AF was clear because aging harvested it (with mapYoung): unconstrained, nothing clears AF.
    s[sb + GS_PRESSURE_NS] += end - t;
    return end;
  }

  /** Permission fault on a write to a page mapped read-only: relax S2AP W under the read lock. */
  permFault(gfn: number, t: number): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const trapped = t + c[C_S2_FAULT];
    const hold = c[C_LOCK_ACQUIRE] + c[C_CMPXCHG];
    const start = this.vlock.read(trapped, hold, false);
    s[sb + GS_LOCK_WAIT_NS] += start - trapped;
    s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    s[sb + GS_PRESSURE_NS] += start - trapped;
    readLock(this.lock);
    stage2SetWritable(this.pgt, gfn * PAGE);
    readUnlock(this.lock);
    const end = start + hold;
    s[sb + GS_LOCK_HOLD_NS] += hold;
    s[sb + GS_PERM_FAULTS]++;
    s[sb + GS_STALL_NS] += end - t;
    return end;
  }

  /** Eviction-precision bucket of virtual time t (the last bucket takes anything past the run's end). */
  private bucketOf(t: number): number {
    const b = Math.floor(t / this.bucketNs);
    return b < this.buckets ? b : this.buckets - 1;
  }

  /**
   * kvm_flush_remote_tlbs for this VM, by a flusher at virtual time t inside its write hold: every vCPU
   * of the VM, and no other VM's, loses its cached translations (arch/tlb.ts, a full refill next). Returns
   * the flusher's ns. arm64 ('tlbi-broadcast'): __kvm_tlb_flush_vmid, TLBI VMALLS12E1IS + DSB ISH
   * (tlbFlushVmid). x86 ('ipi-kick'): kvm_make_all_cpus_request, the IPIs to the vCPUs in guest mode
   * and the wait for their exits (kvm/remoteTlbFlush.ts). kswapd: whether kswapd is the flusher (else a
   * direct reclaimer).
   */
  flushRemoteTlbs(t: number, kswapd: boolean): number {
    const s = this.stats;
    s[this.sb + GS_TLB_FLUSH_VM]++;
    this.tlbFlush.flush();
    const kick = this.kick;
    if (kick === null) return this.costs[C_TLB_FLUSH_VMID];
    const ns = kick.flush(t, kswapd);
    s[this.sb + GS_IPI_KICKS] += kick.lastKicked;
    s[this.sb + GS_IPI_FLUSH_NS] += ns;
    return ns;
  }

  /**
   * Host reclaim evicts this guest's page gfn at time t: try_to_unmap -> mmu notifier
   * invalidate_range_start -> kvm_unmap_gfn_range under kvm->mmu_lock for write, TLB invalidate,
   * swap-out, frame freed. byVcpu: direct reclaim (its lock wait is a vCPU's wait), else kswapd; cpu:
   * the reclaimer's CPU (mm/swapSlots.ts: the swap slot comes from its cluster).
   */
  evictOne(gfn: number, t: number, byVcpu: boolean, cpu = KSWAPD_CPU): number {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    if ((this.flags[gfn] & PG_SWAPCACHE) !== 0) {
      // An unused readahead folio (mm/swapReadahead.ts): mapped nowhere, so try_to_unmap and the mmu
      // notifier have nothing to do, and clean (its data is still in its swap slot), so no pageout:
      // __remove_mapping drops it from the swap cache and the frame is freed. Not a swap-out: no write,
      // no eviction counted; the page keeps its slot and its original eviction time. Its CPU cost
      // (a few hundred ns, as the other per-folio bookkeeping of shrink_folio_list) is not charged.
      clearPageFlags(this.flags, gfn, PG_SWAPCACHE | PG_LRU);
      this.swapArea?.fromCache(this.idBase + gfn);
      s[sb + GS_RESIDENT]--;
      this.host.put(1);
      return t;
    }
    // A page only the VMM mapped (PG_HOST, pre-faulted, never touched by the guest): the notifier's
    // kvm_unmap_gfn_range still takes the write lock (the memslot covers the hva), but
    // stage2_unmap_walker finds no valid leaf: no PTE cleared, no TLBI.
    const mapped = (this.flags[gfn] & PG_HOST) === 0;
    // x86 ('ipi-kick'): the zap has no broadcast invalidate; kvm_unmap_gfn_range returns flush and
    // kvm_handle_hva_range (flush_on_ret) calls kvm_flush_remote_tlbs inside the same write hold.
    const ipi = mapped && this.kick !== null;
    const hold = !mapped
      ? c[C_LOCK_ACQUIRE]
      : ipi
        ? c[C_LOCK_ACQUIRE] + c[C_CMPXCHG] + this.cmoNs + this.flushRemoteTlbs(t, !byVcpu)
        : unmapHoldNs(c, this.cmoNs);
    const start = this.vlock.write(t, hold, false);
    s[sb + GS_LOCK_WAIT_NS] += start - t;
    if (byVcpu) s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    else s[sb + GS_KSWAPD_WRITE_WAIT_NS] += start - t;
    writeLock(this.lock);
    if (mapped) stage2Unmap(this.pgt, gfn * PAGE, PAGE);
    writeUnlock(this.lock);
    const unmapEnd = start + hold;
    s[sb + GS_LOCK_HOLD_NS] += hold;
    if (ipi) {
      if (this.tlbs !== null) this.tlbs.invalidate(gfn); // flushRemoteTlbs emptied every vCPU's TLB
    } else if (mapped) {
      if (this.tlbs !== null) this.tlbs.invalidate(gfn);
      this.tlbFlush.flushStage1(); // every vCPU of this VM re-walks its stage-1 next (arch/tlb.ts)
      s[sb + GS_TLBI] += UNMAP_TLBIS;
    }
    // try_to_unmap_one clears the VMM's own PTE (its host TLB flush deferred to try_to_unmap_flush;
    // not charged), then mmu_notifier_invalidate_range_end: the second write hold (invalidateEndHoldNs).
    const end = this.invalidateEnd(unmapEnd, byVcpu);
    // mmu_invalidate_in_progress from the unmap's hold to range_end's; mmu_invalidate_seq++ at the latter.
    this.mmuInvalidate.invalidate(start, end);
    updatePageFlags(this.flags, gfn, PG_RESIDENT | PG_LRU | PG_HOST | PG_HOST_YOUNG, PG_SWAPPED);
    this.evictedAt[gfn] = unmapEnd;
    this.evictBuckets[this.bucketOf(unmapEnd)]++;
    s[sb + GS_EVICTIONS]++;
    const area = this.swapArea;
    if (area !== null) {
      // A block device (mm/swap.ts): add_to_swap gives the page a slot from the reclaimer's CPU's swap
      // cluster (mm/swapSlots.ts) and
      // puts the folio in the swap cache; pageout -> swap_writepage submits the write. The folio keeps its
      // frame under writeback until reclaim meets it written (Pgdat.endWriteback).
      const id = this.idBase + gfn;
      area.alloc(id, cpu);
      setPageFlags(this.flags, gfn, PG_SWAPCACHE);
      area.writeback.set(id, end + this.swapOutNs + SSD_SWAP_WRITE_NS);
      s[sb + GS_WB_PAGES]++;
      return end + this.swapOutNs;
    }
    // zram: zram_write_page compresses inline (SWP_SYNCHRONOUS_IO), the write is over and the frame freed.
    s[sb + GS_RESIDENT]--;
    this.host.put(1);
    return end + this.swapOutNs;
  }

  /**
   * kvm_mmu_notifier_invalidate_range_end for one folio's unmap, asked at time t by its reclaimer
   * (byVcpu: direct reclaim, else kswapd): KVM_MMU_LOCK for write around kvm_mmu_invalidate_end
   * (invalidateEndHoldNs). Returns when the hold ends. The real rwlock is not taken: nothing in the
   * lab's tables changes under it (mmu_invalidate_seq is evictOne's record: kvm/mmuInvalidate.ts).
   */
  private invalidateEnd(t: number, byVcpu: boolean): number {
    const s = this.stats;
    const sb = this.sb;
    const hold = invalidateEndHoldNs(this.costs);
    // In progress since the unmap's hold (kvm_mmu_invalidate_begin): the shared calendar's record of
    // this hold spans from its request, the unmap's end (VLock.writeMeets, mmu_invalidate_retry).
    this.vlock.spanFromArrival = true;
    const start = this.vlock.write(t, hold, false);
    this.vlock.spanFromArrival = false;
    s[sb + GS_LOCK_WAIT_NS] += start - t;
    if (byVcpu) s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
    else s[sb + GS_KSWAPD_WRITE_WAIT_NS] += start - t;
    s[sb + GS_LOCK_HOLD_NS] += hold;
    return start + hold;
  }

  /**
   * Every vCPU's MMU context reset between two runs of max_guest_memory_test on x86 (workload
   * resetZapsRoot, wired in buildGuest.ts): KVM_SET_SREGS with CR0.WP toggled -> kvm_mmu_reset_context ->
   * kvm_mmu_unload -> kvm_mmu_free_roots puts each vCPU's reference to the TDP MMU root; the root is reloaded
   * only at the vCPU's next KVM_RUN (kvm_mmu_reload), after the test's "reset" rendezvous, so the last put
   * finds the count at zero: kvm_tdp_mmu_put_root (arch/x86/kvm/mmu/tdp_mmu.c, from 6.0 until "Keep TDP
   * MMU roots alive until they are explicitly invalidated") marks the root invalid and queues
   * tdp_mmu_zap_root_work, which zaps every SPTE. Run 2 then faults each page into a new root: the folio is
   * still in the memfd's page cache and the VMM's PTE present (hva_to_pfn_fast), so the fault maps it with
   * no frame, no swap-in and no LRU add, as for a page only the VMM pre-faulted: PG_HOST, here.
   * Not charged (estimate, a stated simplification): the zap's own time. The worker runs on its own CPU under
   * mmu_lock for read and yields to a queued writer (tdp_mmu_iter_cond_resched: rwlock_needbreak), so it
   * delays no vCPU fault (readers) and a writer by one iteration at most; at an estimated 20 ns per SPTE the
   * 262,144 pages of the v1 preset take ~5 ms, ~1 % of its shortest x86 run 2 (388 ms, lockless), beside it.
   * Not modelled: the zap's handle_changed_spte_acc_track -> kvm_set_pfn_accessed (mark_page_accessed, not
   * modelled for any fault either; under MGLRU, 6.1-6.6, its folio_inc_refs sets PG_referenced, which
   * folio_lru_refs does not count and isolate_folio clears: no protection from eviction), and aging reaching
   * the old root's A bits before the worker is done (for_each_tdp_mmu_root visits invalid roots too).
   * The zap is not an mmu-notifier invalidation: mmu_invalidate_seq is unchanged. Returns the leaves zapped.
   */
  zapRoot(): number {
    writeLock(this.lock);
    stage2Unmap(this.pgt, 0, this.pages * PAGE);
    writeUnlock(this.lock);
    // The vCPUs load a new root: no cached translation of the old one survives.
    this.tlbFlush.flush();
    let n = 0;
    const flags = this.flags;
    for (let gfn = 0; gfn < this.pages; gfn++) {
      if ((flags[gfn] & PG_RESIDENT) === 0) continue;
      // Mapped -> held by the VMM only: the frame, the LRU place and the VMM's PTE (PG_HOST_YOUNG) stay.
      updatePageFlags(flags, gfn, PG_RESIDENT, PG_HOST);
      this.tlbs?.invalidate(gfn);
      n++;
    }
    return n;
  }

  /**
   * Reclaim frees a written swap-cache folio of this guest (mm/swap.ts: folio_end_writeback rotated it to
   * the LRU tail, __remove_mapping frees it): clean, its data in its slot, which it keeps.
   */
  freeWritten(gfn: number): void {
    clearPageFlags(this.flags, gfn, PG_SWAPCACHE);
    this.stats[this.sb + GS_RESIDENT]--;
    this.host.put(1);
  }
}
