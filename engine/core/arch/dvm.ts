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
 * service time: an overstatement of at most ~5 % per broadcast. Except under pKVM (session 13): there
 * kvm_flush_remote_tlbs is an HVC, kvm_call_hyp_nvhe(__pkvm_tlb_flush_vmid) (mainline 6.14+), and the
 * pkvm profile's tlbFlushVmid is the hypercall round trip plus the broadcast; the round trip (exception
 * entry, host context save/restore, ERET) is the flusher PE's own, so the calendar is booked for
 * tlbFlushVmid - hypercall only (sim/costs.ts flushHvcNs; kvm/mmuNotifier.ts folioReferenced).
 *
 * x86 ('ipi-kick'): not applied. kvm_flush_remote_tlbs is kvm_make_all_cpus_request (IPIs, each vCPU
 * flushes its own TLB on entry), and the host's flush_tlb_mm_range -> native_flush_tlb_multi sends IPIs
 * too (INVLPGB, AMD's broadcast, is not used by 6.1-6.6): no shared completion resource. Guest.dvm is null.
 *
 * The calendar is a VLock used only for write holds (sync/vlock.ts): a writer is granted after every
 * writer that arrived before it releases, and a request yields to a hold booked before it in real time
 * (the same virtual-time FIFO the MMU lock's writers have). One per worker (composeWorker.ts), shared by
 * every guest and kswapd of that worker. Approximation, parallel runs (spread runs, and per-guest memcgs
 * on several workers): a broadcast books its own worker's calendar, so concurrent broadcasts from two
 * workers do not queue on each other (the wait is undercounted there). The trace replay's lone agent
 * (sim/replayMmu.ts) books none: its broadcasts are sequential, one actor's, so none could wait.
 *
 * Design note, session 12 (helper J): ONE shared calendar for the host, tried and not kept (commit 1b7c15a,
 * reverted in the next). Built as the MMU lock's spread calendar: a SharedVLock (sync/vlockShared.ts, write
 * holds only, its per-worker read lists empty) over a SimBuffers.dvm region (simLayout.ts v7) that run.ts
 * allocates when plan.workers > 1 on 'tlbi-broadcast', each worker's Dvm booking it under the calendar's
 * futex mutex (lock order MMU-lock calendar -> DVM calendar, never the reverse). Deterministic digest
 * identical. What it does wrong: the shared calendar is booked in real-time order, and a worker books its
 * whole quantum before the other (one-thread spread, runInterleaved) or up to a quantum ahead of it (threads).
 * A reclaimer's broadcasts come in chains (per folio an unmap's two TLBIs and flush_tlb_page, 32 folios per
 * step), booked back to back as one block; a broadcast of the other worker that arrives earlier in virtual
 * time but is booked later yields to the whole block (VLock: a booked hold cannot move), where on the
 * hardware its Sync would be served after at most the hold in flight (each PE has one DVMOp outstanding, so
 * the chain's PE re-queues behind it). Inside one worker the scheduler cuts a direct reclaim between folios
 * at its limit, so blocks stay short; across workers nothing does. Measured: test/sim/spread.test.ts's
 * scenario, order [0, 1]: worker 1's DVM wait 1,045 us, all of it yields (1,283 holds passed in 263 waits);
 * run total 1.09 ms against det 0.034 and per-worker calendars 0.038 ms. bench/_parallelDrift.ts MODES=d1,par
 * MS=200 SEEDS=3 GUESTS=4: par - det hit rate -0.55..-0.65 pp (per-worker: +0.23..+0.26; tolerance 0.5),
 * accesses 1.58-1.62 M (det 1.81, per-worker 1.90), DVM wait per eviction 10.9 us (det 6.5, per-worker 4.8).
 * seed-debate --workers 2, dvmWaitNs det / per-worker / shared: altra 13.4 / 8.7 / 32.5 ms, phone 135 / 72 /
 * 119 ms, pkvm 781 / 332 / 736 ms. So the shared calendar turns an undercount into an overcount of the same
 * size or larger. What it would need (not built): cross-worker grants in virtual arrival order at folio
 * granularity. Either (a) a conservative booking: a broadcast at t waits, in real time, until every other
 * worker's published scheduler floor reaches t (costly: a core idles), or (b) FIFO by arrival with
 * retroactive delay: a request is granted after the holds that arrived before it and the one in service at
 * its arrival only; each later-arriving hold it overtakes is pushed back by its length, and since that
 * hold's actor already ran on, the push is kept as a per-actor debt in shared memory that the actor pays
 * (adds to its clock, and to the MMU-lock hold the broadcast was in, extendHold) at its next step. (b)
 * keeps the calendar's records disjoint only if pushed holds are re-recorded, which VLockCalendar's sorted
 * records (firstEndAfter's binary search on ends) allow only by re-insertion; the test to write first: two
 * copies on one buffer, worker 0 books a 3-hold chain [4000, 5800), worker 1 then books at 4100: granted at
 * 4600 (after the hold in service), worker 0's debt 600 ns; per-worker calendars (control): 4100, debt 0.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import { VLock } from '../sync/vlock.ts';

export class Dvm {
  private readonly cal = new VLock(0);
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
 * A broadcast's DVM wait inside a kvm->mmu_lock hold (write; read in the locked-read what-if): the holder
 * spins in its DSB with the lock held, so the hold already booked on the VM's calendar, ending at `end`,
 * lasts `ns` longer. Booked as a second request of the same kind at `end` (the calendar has no way to
 * lengthen a hold once booked): writers and readers that arrived during the hold and are booked after
 * it queue behind the extension as behind the hold. Returns when the extended hold ends. If a hold booked earlier in real
 * time already starts at `end`, the extension is granted after it (counted in dvm.splitHolds): a gap in
 * a hold the kernel keeps whole, an approximation of the calendar, not of the model.
 */
export function extendHold(vlock: VLock, dvm: Dvm, end: number, ns: number, write: boolean, aging: boolean): number {
  const s = write ? vlock.write(end, ns, aging) : vlock.read(end, ns, aging);
  if (s !== end) dvm.splitHolds++;
  return s + ns;
}
