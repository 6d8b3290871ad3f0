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
 * - here: kvm_flush_remote_tlbs, the x86 root zap between runs, the free of a written swap-cache folio.
 *
 * Every method takes the caller's virtual time and returns the time it finished. Fields the files above
 * read are public; only they and this class write them.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import type { ScenarioConfig } from '../../protocol.ts';
import { leafAttrs } from '../arch/descriptor.ts';
import type { MmuLock } from '../kvm/mmuLock.ts';
import { writeLock, writeUnlock } from '../kvm/mmuLock.ts';
import { stage2Unmap, type Pgt } from '../arch/pgtable.ts';
import type { RcuThread } from '../sync/rcu.ts';
import { C_S2_FAULT, C_TLB_FLUSH_VMID, flushHvcNs, mapHvcNs, s2CmoNs, unmapHvcNs } from './costs.ts';
import { Dvm } from '../arch/dvm.ts';
import { el2LookupNs, HypLock } from '../kvm/hypLock.ts';
import { IpiKick } from '../kvm/remoteTlbFlush.ts';
import { MmuInvalidate } from '../kvm/mmuInvalidate.ts';
import type { Pgdat } from '../mm/pgdat.ts';
import { WAIT_ISOLATED } from '../mm/reclaimThrottle.ts';
import { swapInNs, swapOutNs } from '../mm/swap.ts';
import type { SwapArea } from '../mm/swapReadahead.ts';
import { KSWAPD_CPU } from '../mm/swapSlots.ts';
import type { Harvester } from '../kvm/mmuNotifier.ts';
import type { HostFrames } from '../mm/hostFrames.ts';
import type { Policy } from '../mm/policy/policy.ts';
import {
  GS_IPI_FLUSH_NS,
  GS_IPI_KICKS,
  GS_RESIDENT,
  GS_TLB_FLUSH_VM,
  GS_WORDS,
  OH_WORDS,
  PG_HOST,
  PG_HOST_YOUNG,
  PG_RESIDENT,
  PG_SWAPCACHE,
} from './simLayout.ts';
import { VmTlbFlush, type Tlbs } from '../arch/tlb.ts';
import type { VLock } from '../sync/vlock.ts';
import { SharedVLock } from '../sync/vlockShared.ts';
import { clearPageFlags, updatePageFlags } from '../mm/pageFlags.ts';
import { SUS_WORDS } from './faultSuspend.ts';
import { mapHoldNs, mapLocked, PAGE, userMemAbort } from '../kvm/userMemAbort.ts';
import { afFault, permFault } from '../kvm/protFaults.ts';
import { GUEST_MEMORY_BACKING, type GuestMemoryBacking } from '../kvm/faultinWritable.ts';
import { evictOne } from '../kvm/unmapGfnRange.ts';
import { zapMarks } from '../kvm/faultinMarks.ts';

// Moved with their code; re-exported for the modules and tests that import them from here.
export { FAULT_SUSPENDED } from './faultSuspend.ts';
export { SWAP_CLUSTER_MAX } from '../mm/directReclaim.ts';
export { mapHoldNs } from '../kvm/userMemAbort.ts';
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
  /**
   * arm64: the host's DVM Sync, on which this VM's broadcast TLBIs queue behind every other broadcast of
   * the worker (arch/dvm.ts). null with x86's IPI flush ('ipi-kick'), which has no such resource.
   */
  readonly dvm: Dvm | null;
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
  /**
   * The part of kvm_flush_remote_tlbs (tlbFlushVmid) that is the host's HVC round trip to EL2 and not the
   * broadcast: pKVM only (flushHvcNs). The DVM Sync (arch/dvm.ts) is booked for the rest.
   */
  readonly flushHvcNs: number;
  /** The HVC round trip in one page's stage-2 unmap: pKVM only (sim/costs.ts unmapHvcNs). */
  readonly unmapHvcNs: number;
  /**
   * pKVM (mainline 6.14+) EL2 locks (kvm/hypLock.ts): host_lock_component (host_mmu.lock), shared by every
   * guest of the worker, taken by the share (map) and unshare (unmap) hypercalls; and this VM's
   * guest_lock_component (the hyp VM's table lock), taken by those and by the aging test and the permission
   * relax. null off pKVM.
   */
  readonly hypHostLock: HypLock | null;
  readonly hypGuestLock: HypLock | null;
  /** The EL2 walk to a page's leaf in the hyp VM's table, carved from the hypercall (kvm/hypLock.ts); 0 off pKVM. */
  readonly el2LookupNs: number;
  /**
   * kvm_fault_lock (arch/arm64/include/asm/kvm_mmu.h, mainline 6.14+, commit fce886a60207): the vCPU's
   * stage-2 fault (user_mem_abort: the map and a permission fault's relax) takes kvm->mmu_lock for write
   * when is_protected_kvm_enabled(), for read otherwise. true on the pkvm profile (every guest: the test
   * is host-wide, not per VM).
   */
  readonly faultWrite: boolean;
  /** The HVC round trip inside that hold under pKVM (sim/costs.ts mapHvcNs; 0 elsewhere). */
  readonly mapHvcNs: number;
  /**
   * The stage-2 fault's trap and host path before the lock: s2Fault less the part of it that is the
   * map's HVC (mapHvcNs), which is charged inside the hold instead. s2Fault off pKVM.
   */
  readonly s2TrapNs: number;
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
  /**
   * mark_page_accessed calls at the end of every stage-2 map (kvm/faultinMarks.ts faultinMarks): both
   * architectures release the faulted-in pfn with kvm_release_pfn_clean -> kvm_release_page_clean ->
   * kvm_set_page_accessed -> mark_page_accessed (virt/kvm/kvm_main.c, 6.0-6.12: x86's direct_page_fault,
   * arm64's user_mem_abort); arm64's user_mem_abort (arch/arm64/kvm/mmu.c, 6.1-6.4) calls
   * kvm_set_pfn_accessed(pfn) just before it, a second mark. So 2 on arm64, 1 on x86 (the lab's x86:
   * remoteTlbFlush 'ipi-kick'). x86's mark when the root zap drops an accessed SPTE: zapRoot. x86's aging
   * (kvm_age_gfn, A/D bits) clears A with no mark; reclaim's unmap finds the SPTE just aged (old): no mark.
   */
  readonly faultMarks: number;
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
    this.dvm = this.kick === null ? (p.dvm ?? new Dvm()) : null;
    this.faultMarks = this.kick === null ? 2 : 1;
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
    this.flushHvcNs = flushHvcNs(p.config.hardware, p.costs);
    this.unmapHvcNs = unmapHvcNs(p.config.hardware, p.costs);
    const pkvm = p.config.hardware.pkvm;
    this.hypHostLock = pkvm ? (p.hypHostLock ?? new HypLock()) : null;
    this.hypGuestLock = pkvm ? new HypLock() : null;
    this.el2LookupNs = el2LookupNs(pkvm, p.costs, p.pgt.startLevel);
    this.faultWrite = p.config.hardware.pkvm;
    this.mapHvcNs = mapHvcNs(p.config.hardware, p.costs);
    this.s2TrapNs = p.costs[C_S2_FAULT] - this.mapHvcNs;
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
   * The end of a stage-2 fault (kvm/userMemAbort.ts mapLocked: read_lock, mmu_invalidate_retry, map). A
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

  /** Access-flag fault (kvm/userMemAbort.ts: handle_access_fault). */
  afFault(gfn: number, t: number): number {
    return afFault(this, gfn, t);
  }

  /** Permission fault on a write to a page mapped read-only (kvm/userMemAbort.ts). */
  permFault(gfn: number, t: number): number {
    return permFault(this, gfn, t);
  }

  /** Eviction-precision bucket of virtual time t (the last bucket takes anything past the run's end). */
  bucketOf(t: number): number {
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

  /** Host reclaim evicts page gfn at time t (kvm/unmapGfnRange.ts: try_to_unmap, kvm_unmap_gfn_range, pageout). */
  evictOne(gfn: number, t: number, byVcpu: boolean, cpu = KSWAPD_CPU, endLimit = Infinity): number {
    return evictOne(this, gfn, t, byVcpu, cpu, endLimit);
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
   * The zap's handle_changed_spte -> kvm_set_pfn_accessed marks each accessed leaf's folio (kvm/faultinMarks.ts
   * zapMarks; session 15 (a)), before the lab removes the leaves; not in spread runs (as the fault's marks).
   * Not modelled: aging reaching the old root's A bits before the worker is done (for_each_tdp_mmu_root visits
   * invalid roots too).
   * The zap is not an mmu-notifier invalidation: mmu_invalidate_seq is unchanged. Returns the leaves zapped.
   */
  zapRoot(): number {
    if (!this.pinned && this.lruAdd === null) zapMarks(this.lruvec, this.pgt, this.flags, this.idBase, this.pages);
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
