/**
 * One guest (one VM = one VMM process) as its owner worker sees it: stage-2 table, kvm->mmu_lock
 * (real + virtual qrwlock), TLBs, page metadata, its mmu-notifier side (harvester), and the slow
 * paths of an access, each modelled in its own file:
 * - the stage-2 fault (user_mem_abort, kvm/userMemAbort.ts): frame allocation, maybe direct reclaim of
 *   the host node in this vCPU's context (mm/directReclaim.ts), swap-in on a refault (mm/swapIn.ts), map
 *   under the MMU lock for read; the access-flag fault (handle_access_fault, read lock) and the
 *   permission fault; a fault suspended between scheduler steps keeps its record (sim/faultSuspend.ts);
 * - the eviction of one of its pages by host reclaim (try_to_unmap -> mmu notifier invalidate ->
 *   kvm_unmap_gfn_range under the MMU lock for write + TLB invalidate, then swap-out; emptied tables go
 *   to callRcu via MmOps: kvm/unmapGfnRange.ts);
 * - the x86 root zap between runs (kvm/zapRoot.ts);
 * - here: the free of a written swap-cache folio.
 * The per-VM state and costs the hardware profile decides (TLB flush, DVM or IPI kick, pKVM's EL2 locks
 * and HVCs, CMO, the fault's marks) and kvm_flush_remote_tlbs are the base class's (kvm/kvmArch.ts).
 *
 * Every method takes the caller's virtual time and returns the time it finished. Fields the files above
 * read are public; only they and this class write them.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import type { ScenarioConfig } from '../../protocol.ts';
import { leafAttrs } from '../arch/descriptor.ts';
import type { MmuLock } from '../kvm/mmuLock.ts';
import type { Pgt } from '../arch/pgtable.ts';
import type { RcuThread } from '../sync/rcu.ts';
import type { Dvm } from '../arch/dvm.ts';
import type { HypLock } from '../kvm/hypLock.ts';
import { KvmArch } from '../kvm/kvmArch.ts';
import { MmuInvalidate } from '../kvm/mmuInvalidate.ts';
import type { Pgdat } from '../mm/pgdat.ts';
import { WAIT_ISOLATED } from '../mm/reclaimThrottle.ts';
import { swapInNs, swapOutNs } from '../mm/swap.ts';
import type { SwapArea } from '../mm/swapReadahead.ts';
import { KSWAPD_CPU } from '../mm/swapSlots.ts';
import type { Harvester } from '../kvm/mmuNotifier.ts';
import type { HostFrames } from '../mm/hostFrames.ts';
import type { Policy } from '../mm/policy/policy.ts';
import { GS_RESIDENT, OH_WORDS, PG_HOST_YOUNG, PG_SWAPCACHE } from './simLayout.ts';
import type { Tlbs } from '../arch/tlb.ts';
import type { VLock } from '../sync/vlock.ts';
import { SharedVLock } from '../sync/vlockShared.ts';
import { clearPageFlags } from '../mm/pageFlags.ts';
import { SUS_WORDS } from './faultSuspend.ts';
import { userMemAbort } from '../kvm/userMemAbort.ts';
import { mapHoldNs, mapLocked } from '../kvm/mapLocked.ts';
import { afFault, permFault } from '../kvm/protFaults.ts';
import { GUEST_MEMORY_BACKING, type GuestMemoryBacking } from '../kvm/faultinWritable.ts';
import { evictOne } from '../kvm/unmapGfnRange.ts';
import { zapRoot } from '../kvm/zapRoot.ts';

// Moved with their code; re-exported for the modules and tests that import them from here.
export { FAULT_SUSPENDED } from './faultSuspend.ts';
export { SWAP_CLUSTER_MAX } from '../mm/directReclaim.ts';
export { mapHoldNs } from '../kvm/mapLocked.ts';
export { hostUnmapFlushNs, invalidateEndHoldNs, UNMAP_TLBIS, unmapHoldNs } from '../kvm/unmapGfnRange.ts';

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
  /** The worker's DVM calendar (arch/dvm.ts), shared by its guests; absent: this guest's own. */
  dvm?: Dvm;
  /** The worker's pKVM host_lock_component (kvm/hypLock.ts), shared by its guests; absent: this guest's own. */
  hypHostLock?: HypLock;
}

export class Guest extends KvmArch {
  readonly index: number;
  readonly pages: number;
  readonly pinned: boolean;
  readonly pgt: Pgt;
  readonly lock: MmuLock;
  readonly vlock: VLock;
  readonly rcu: RcuThread;
  readonly flushOnClear: boolean;
  readonly flags: Uint8Array;
  readonly evictedAt: Float32Array;
  readonly evictBuckets: Float64Array;
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
   * lru_add batch (mm/lruAdd.ts), which sets PG_LRU as it moves, and takes the fault's marks
   * (folio_mark_accessed) for a folio still in it. Reclaim uses `lruvec`.
   */
  lruAdd: { onMap(id: number): void; markAccessedN(id: number, n: number): void } | null = null;
  readonly demandOnly: boolean;
  readonly reserve: number;
  /**
   * Parallel runs whose workers own guests: the min-watermark check is settled at the barrier
   * (GS_RECLAIM_OWED), see fault. Spread runs check min at each fault against their worker's frame
   * budget instead (mm/hostFrames.ts useBudgets).
   */
  readonly deferMin: boolean;
  readonly windowNs: number;
  /** A refault's wait for the swap device (mm/swap.ts: zram = the profile's swapIn, SSD = a block read). */
  readonly swapInNs: number;
  /** The reclaimer's cost of one page's swap-out (mm/swap.ts: zram compresses inline, an SSD write is async). */
  readonly swapOutNs: number;
  readonly frameBase: number;
  readonly bucketNs: number;
  readonly buckets: number;
  /**
   * PG_HOST_YOUNG when reclaim.mapYoung (mm/hostPte.ts: the kernel maps both the host PTE and the
   * stage-2 young; mapYoung = false is the what-if where neither carries the fault as an access).
   */
  readonly hostYoungOnMap: number;
  /** The stage-2 leaf attributes of a fault, [read-only, writable] (kvm/userMemAbort.ts picks one). */
  readonly attrLoByWrite: [ReturnType<typeof leafAttrs>, ReturnType<typeof leafAttrs>];
  /**
   * What backs this guest's memory (kvm/faultinWritable.ts): whether a read fault maps stage-2 writable
   * (hva_to_pfn's "map read fault as writable if possible"). The spec's guests[].memoryBacking, set by
   * buildGuest; absent, a shmem memfd (GUEST_MEMORY_BACKING).
   */
  backing: GuestMemoryBacking = GUEST_MEMORY_BACKING;
  /** Per vCPU (SUS_WORDS each): a fault suspended between two folios of its direct reclaim. */
  readonly suspended: Float64Array;
  /** The time at which the last fault that returned FAULT_SUSPENDED stopped. */
  resumeAt = DOUBLE_ZERO;
  /**
   * The time at which the last fault that returned -1 (no frame: its direct reclaim found nothing
   * evictable, mm/directReclaim.ts allocFrame) gave up: the vCPU's retry is FRAME_RETRY_NS after it.
   */
  noFrameAt = DOUBLE_ZERO;
  /** A spread run's VM: the invalidations are read from the shared MMU-lock calendar (SharedVLock.writeMeets). */
  readonly sharedLock: boolean;
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
  /**
   * allocFrame's results for the fault that called it (mm/directReclaim.ts): its start and reclaim time.
   * Virtual-ns fields here are doubles from the start (DOUBLE_ZERO, core/ownShape.ts says why).
   */
  faultT0 = DOUBLE_ZERO;
  faultReclaimNs = DOUBLE_ZERO;

  constructor(p: GuestParts) {
    super(p);
    this.index = p.index;
    this.pages = p.pages;
    this.pinned = p.pinned;
    this.pgt = p.pgt;
    this.lock = p.lock;
    this.vlock = p.vlock;
    this.sharedLock = p.vlock instanceof SharedVLock;
    this.rcu = p.rcu;
    this.flushOnClear = p.config.reclaim.tlb.flushOnClear;
    this.flags = p.flags;
    this.evictedAt = p.evictedAt;
    this.evictBuckets = p.evictBuckets;
    this.buckets = p.evictBuckets.length >> 1;
    this.bucketNs = p.config.run.sampleIntervalMs * 1e6;
    this.mmuInvalidate = new MmuInvalidate({
      vcpus: p.config.guests[p.index].vcpus,
      vlock: p.vlock,
      shared: this.sharedLock,
      stats: p.stats,
      sb: this.sb,
      costs: p.costs,
      mapHold: mapHoldNs(p.costs, this.cmoNs, this.mapHvcNs),
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

  /** Stage-2 fault (kvm/userMemAbort.ts: user_mem_abort); see userMemAbort for the results. */
  fault(gfn: number, write: boolean, t: number, vi = 0, limit = Infinity): number {
    return userMemAbort(this, gfn, write, t, vi, limit);
  }

  /**
   * The end of a stage-2 fault (kvm/mapLocked.ts: read_lock, mmu_invalidate_retry, map). A
   * method, as when it was this class's, so diagnostics can wrap it (bench/_retryDiag.ts).
   */
  mapLocked(
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
    return mapLocked(this, gfn, write, vi, limit, now, t0, reclaimNs, refault, sample);
  }

  /** Access-flag fault (kvm/protFaults.ts: handle_access_fault). */
  afFault(gfn: number, t: number): number {
    return afFault(this, gfn, t);
  }

  /** Permission fault on a write to a page mapped read-only (kvm/protFaults.ts). */
  permFault(gfn: number, t: number): number {
    return permFault(this, gfn, t);
  }

  /** Eviction-precision bucket of virtual time t (the last bucket takes anything past the run's end). */
  bucketOf(t: number): number {
    const b = Math.floor(t / this.bucketNs);
    return b < this.buckets ? b : this.buckets - 1;
  }

  /** Host reclaim evicts page gfn at time t (kvm/unmapGfnRange.ts: try_to_unmap, kvm_unmap_gfn_range, pageout). */
  evictOne(gfn: number, t: number, byVcpu: boolean, cpu = KSWAPD_CPU, endLimit = Infinity): number {
    return evictOne(this, gfn, t, byVcpu, cpu, endLimit);
  }

  /** x86's TDP MMU root zap between two runs (kvm/zapRoot.ts: kvm_tdp_mmu_put_root, tdp_mmu_zap_root_work). */
  zapRoot(): number {
    return zapRoot(this);
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
