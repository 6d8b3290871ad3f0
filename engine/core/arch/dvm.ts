/**
 * The host's DVM (distributed virtual memory) traffic: broadcast TLB maintenance that completes with a
 * DSB ISH, serialized host-wide in virtual time. arm64 ('tlbi-broadcast' hardware) only.
 *
 * What the hardware does. A broadcast TLBI (TLBI ...IS) is a DVM operation the PE sends to the
 * interconnect's DVM node (on Neoverse N1 / Ampere Altra: the CMN-600 mesh; its TRM's DN section was
 * not found in the lab's corpora, session 12); the DSB ISH that follows is a DVM Sync, which completes
 * only when every PE of the inner-shareable domain has completed the invalidations before it. AMBA 5 CHI
 * (IHI 0050, "DVM operations", Flow control) limits this: a requester may not issue a new DVMOp before
 * its previous one has completed; the MN may have several SnpDVMOp(Non-sync) outstanding to an RN but
 * only ONE SnpDVMOp(Sync) (summary of the spec's flow-control list in
 * blog.csdn.net/zhangshangjie1/article/details/131948288). A Sync must be snooped to every RN, and each
 * RN takes one Sync snoop at a time, so the Syncs of PEs issuing at once complete one after another:
 * the DVM Sync is a host-wide FIFO resource. Measured consequence (no N1 figure): 32 single-threaded
 * mprotect loops on a 32-core Ampere eMAG, 2.12 s with broadcast TLBIs against 0.12 s with local ones
 * (A. Arcangeli, lore.kernel.org/r/20200203201745.29986-3-aarcange@redhat.com); "some implementations
 * take milliseconds to complete parallel broadcasted TLBIs" (lore.kernel.org/r/20230301210928.565562-13-
 * ricarkol@google.com); 73.2 us mean per __kvm_tlb_flush_vmid with 128 vCPUs faulting and flushing at
 * once (lore.kernel.org/r/20230109215347.3119271-1-rananta@google.com, tlbFlushVmid's source).
 *
 * Which broadcasts book it (each a TLBI + DSB ISH, a DVM Sync; kernel 6.1-6.6):
 * - kvm_unmap_gfn_range -> stage2_unmap_walker -> __kvm_tlb_flush_vmid_ipa (arch/arm64/kvm/hyp/vhe/tlb.c):
 *   TLBI IPAS2E1IS; DSB ISH; TLBI VMALLE1IS; DSB ISH: two, inside kvm->mmu_lock's write hold
 *   (kvm/unmapGfnRange.ts evictOne).
 * - try_to_unmap_one -> ptep_clear_flush -> flush_tlb_page (arch/arm64/include/asm/tlbflush.h:
 *   flush_tlb_page_nosync, then dsb(ish)): one, outside the lock (arm64 had no
 *   ARCH_WANT_BATCHED_UNMAP_TLB_FLUSH before 6.5; kvm/unmapGfnRange.ts hostUnmapFlushNs).
 * - kvm_flush_remote_tlbs -> __kvm_tlb_flush_vmid: DSB ISHST; TLBI VMALLS12E1IS; DSB ISH; ISB: one,
 *   inside the write hold of clear_flush_young (kvm/mmuNotifier.ts folioReferenced).
 * Not booked: ptep_clear_flush_young's flush_tlb_page_nosync (mm/folioReferenced.ts): a TLBI with no
 * DSB ISH, so no Sync, and non-sync DVM snoops may be outstanding in numbers; the what-if
 * reclaim.tlb.flushOnClear's per-page TLBI (no kernel counterpart).
 *
 * Service time (estimate, no new figure): the profile's cost of each broadcast, tlbInvalidate or
 * tlbFlushVmid, whole. Both stand for one broadcast and the wait for its completion with no other in
 * flight; nearly all of that is the DSB's Sync round trip (95 % of flush_tlb_page's cycles are the final
 * DSB, tlbInvalidate's source), and the PE-side invalidation tlbFlushVmid adds is done before the PEs
 * answer the Sync, so it occupies the resource too. What is local and not serialized, the DSB ISHST
 * and, for tlbFlushVmid, ~50 ns of ISBs and system-register writes (its source), is left inside the
 * service time: an overstatement of at most ~5 % per broadcast.
 *
 * x86 ('ipi-kick'): not applied. kvm_flush_remote_tlbs is kvm_make_all_cpus_request (IPIs, each vCPU
 * flushes its own TLB on entry), and the host's flush_tlb_mm_range -> native_flush_tlb_multi sends IPIs
 * too (INVLPGB, AMD's broadcast, is not used by 6.1-6.6): no shared completion resource. Guest.dvm is null.
 *
 * The calendar is a VLock used only for write holds (sync/vlock.ts): a writer is granted after every
 * writer that arrived before it releases, and a request yields to a hold booked before it in real time
 * (the same virtual-time FIFO the MMU lock's writers have). One for the host, shared by every guest and
 * kswapd: a one-worker run's is the worker's own VLock (composeWorker.ts); a parallel run's (plan.workers
 * > 1: spread runs, and per-guest memcgs spread whole guests) is ONE calendar in shared memory
 * (SimBuffers.dvm, simLayout.ts), booked by every worker through a SharedVLock (sync/vlockShared.ts: the
 * MMU-lock calendar's machinery, a futex mutex per request, holds pruned before the previous quantum's
 * start), so broadcasts issued on two workers queue on each other as on the one interconnect. As the
 * shared MMU-lock calendar, a grant can then depend on which worker booked first in real time (parallel
 * runs agree with the deterministic run statistically). No read holds: the calendar's read lists (one per
 * worker, a SharedVLock's layout) stay empty, so every request takes the writer's fast path or writeSlow
 * past write holds only. Lock order: a broadcast inside an MMU-lock calendar section (the shared
 * calendar's mutex held) takes this calendar's mutex inside it; this calendar's section takes no other,
 * so the two mutexes cannot deadlock. The trace replay's lone agent (sim/replayMmu.ts) books none: its
 * broadcasts are sequential, one actor's, so none could wait.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import { VLock } from '../sync/vlock.ts';
import { SharedVLock, sharedVLockBytes } from '../sync/vlockShared.ts';

/**
 * Broadcasts per actor step an estimate allows for (dvmSharedRecords): a direct reclaim step of
 * SWAP_CLUSTER_MAX (32) folios, each with at most an unmap's two (UNMAP_TLBIS), flush_tlb_page's one and a
 * clear_flush_young's VM-wide flush: 4 x 32.
 */
const STEP_BROADCASTS = 128;

/**
 * Records (write holds) the shared DVM calendar must hold (estimate, with margin): the holds are disjoint,
 * each at least `minNs` long, and kept from the previous quantum's start (vlockShared.ts pruning); the
 * actors book until the quantum's end, so the window spans about three quanta of back-to-back holds, plus
 * the backlog the last bookings of every actor (`actors`, each one step of STEP_BROADCASTS) leave past it.
 * Capped at 2^20; a calendar that outgrows it throws (SharedVLock.room), never drops a hold.
 */
export function dvmSharedRecords(actors: number, quantumNs: number, minNs: number): number {
  return Math.min(1 << 20, Math.ceil((3 * quantumNs) / Math.max(1, minNs)) + actors * STEP_BROADCASTS + 1024);
}

/** Bytes of the shared DVM calendar (SimBuffers.dvm) for `records` holds and `workers` workers. */
export function dvmSharedBytes(records: number, workers: number): number {
  return sharedVLockBytes(records, workers);
}

export class Dvm {
  /**
   * `cal`: the host's calendar; a worker's own VLock by default, a parallel run's SharedVLock over
   * SimBuffers.dvm (sharedDvm).
   */
  constructor(private readonly cal: VLock = new VLock(0)) {}
  /** Broadcasts booked, those that waited, and the total wait (ns): diagnostics (tests, bench). */
  n = 0;
  waited = 0;
  waitNs = DOUBLE_ZERO;
  /** Lock-hold extensions (extendWriteHold) that were not granted at the hold's end (see there). */
  splitHolds = 0;

  /**
   * One broadcast TLBI + DSB ISH issued at t, served for ns: the time its DSB completes (>= t + ns).
   */
  broadcast(t: number, ns: number): number {
    const s = this.cal.write(t, ns, false);
    this.n++;
    if (s > t) {
      this.waited++;
      this.waitNs += s - t;
    }
    return s + ns;
  }

  /**
   * k back-to-back broadcasts by one PE from t, each served for ns (the second issued when the first's DSB
   * completes: one PE has one DVMOp in flight): the time the last completes.
   */
  broadcasts(t: number, ns: number, k: number): number {
    let e = t;
    for (let i = 0; i < k; i++) e = this.broadcast(e, ns);
    return e;
  }
}

/**
 * Worker `worker`'s copy of a parallel run's host-wide DVM calendar over `sab` (SimBuffers.dvm, of
 * dvmSharedBytes(records, workers)): `time` the run's time words (TIME_QUANTUM_END, for pruning).
 */
export function sharedDvm(
  sab: SharedArrayBuffer,
  time: Float64Array,
  quantumNs: number,
  worker: number,
  workers: number,
): Dvm {
  return new Dvm(new SharedVLock(0, new Float64Array(0), sab, time, quantumNs, worker, workers));
}

/**
 * A broadcast's DVM wait inside a kvm->mmu_lock hold (write; read in the locked-read what-if): the holder
 * spins in its DSB with the lock held, so the hold already booked on the VM's calendar, ending at `end`,
 * lasts `ns` longer. Booked as a second request of the same kind at `end` (the calendar cannot lengthen a booked hold; helper F owns vlock.ts's
 * structure): writers and readers that arrived during the hold and are booked after it queue behind the
 * extension as behind the hold. Returns when the extended hold ends. If a hold booked earlier in real
 * time already starts at `end`, the extension is granted after it (counted in dvm.splitHolds): a gap in
 * a hold the kernel keeps whole, an approximation of the calendar, not of the model.
 */
export function extendHold(vlock: VLock, dvm: Dvm, end: number, ns: number, write: boolean, aging: boolean): number {
  const s = write ? vlock.write(end, ns, aging) : vlock.read(end, ns, aging);
  if (s !== end) dvm.splitHolds++;
  return s + ns;
}
