/**
 * The per-VM state and costs the hardware profile decides (the lab's kvm->arch): how the VM's TLBs are
 * flushed (kvm_flush_remote_tlbs: arm64's TLBI broadcast on the host's DVM Sync, or x86's IPI kick), the
 * marks a fault's release makes (2 on arm64, 1 on x86), the stage-2 CMO of a map or unmap (0 with
 * FEAT_S2FWB), and pKVM's EL2 side (the HVC round trips, host_lock_component and the hyp VM's
 * guest_lock_component, kvm_fault_lock's write hold). Read by the fault, unmap and aging paths
 * (kvm/userMemAbort.ts, kvm/unmapGfnRange.ts, kvm/notifierLock.ts...).
 *
 * Base class of sim/guest.ts Guest (split from it, session 16 (k); fields and flushRemoteTlbs moved
 * verbatim, set in the same order). Also holds the VM's counters (stats from sb), which the flush counts.
 */
import type { GuestParts } from '../sim/guest.ts';
import { C_S2_FAULT, C_TLB_FLUSH_VMID, flushHvcNs, mapHvcNs, s2CmoNs, unmapHvcNs } from '../sim/costs.ts';
import { Dvm } from '../arch/dvm.ts';
import { el2LookupNs, HypLock } from './hypLock.ts';
import { IpiKick } from './remoteTlbFlush.ts';
import { GS_IPI_FLUSH_NS, GS_IPI_KICKS, GS_TLB_FLUSH_VM, GS_WORDS } from '../sim/simLayout.ts';
import { VmTlbFlush, type Tlbs } from '../arch/tlb.ts';

export class KvmArch {
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
  readonly stats: Float64Array;
  /** Base of this guest's counters in `stats`. */
  readonly sb: number;
  /**
   * This guest's GS_WORDS counters as a view of `stats` from `sb` (the same memory): `gs[GS_X]` spares the
   * hot per-folio and per-miss counters the load of sb and the index sum's overflow check (session 17 (c)).
   */
  readonly gs: Float64Array;
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

  constructor(p: GuestParts) {
    this.tlbs = p.tlbs;
    this.tlbFlush = new VmTlbFlush(p.config.guests[p.index].vcpus, p.tlbs, p.tlbGens);
    this.kick =
      p.config.hardware.remoteTlbFlush === 'ipi-kick' ? new IpiKick(p.config.guests[p.index].vcpus, p.costs) : null;
    this.dvm = this.kick === null ? (p.dvm ?? new Dvm()) : null;
    this.faultMarks = this.kick === null ? 2 : 1;
    this.stats = p.stats;
    this.sb = p.index * GS_WORDS;
    this.gs = p.stats.subarray(this.sb, this.sb + GS_WORDS);
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
}
