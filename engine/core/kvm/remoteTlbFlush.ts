/**
 * x86's kvm_flush_remote_tlbs (hardware remoteTlbFlush 'ipi-kick'), as in the kernels of the seed
 * series (v6.2, virt/kvm/kvm_main.c and kernel/smp.c):
 *
 *   kvm_flush_remote_tlbs(kvm)
 *     kvm_arch_flush_remote_tlb(kvm)       -ENOTSUPP on bare metal (only KVM on Hyper-V sets
 *                                          kvm_x86_ops.tlb_remote_flush), so:
 *     kvm_make_all_cpus_request(kvm, KVM_REQ_TLB_FLUSH)
 *       for every vCPU: kvm_make_vcpu_request
 *         __kvm_make_request               set_bit in vcpu->requests (every vCPU, running or not)
 *         KVM_REQUEST_NO_WAKEUP            a blocked vCPU is not woken
 *         kvm_request_needs_ipi            kvm_vcpu_exiting_guest_mode: cmpxchg vcpu->mode
 *                                          IN_GUEST_MODE -> EXITING_GUEST_MODE; with KVM_REQUEST_WAIT
 *                                          an IPI is needed iff mode != OUTSIDE_GUEST_MODE
 *       kvm_kick_many_cpus(cpus, wait)     smp_call_function_many(cpus, ack_kick, NULL, true):
 *                                          per target a csd queued on its call_single_queue, the IPIs
 *                                          sent, then csd_lock_wait for every target's ack
 *
 * A vCPU in guest mode takes a VM exit on the IPI (external interrupt), the host runs ack_kick (the
 * flusher sees the ack), and before re-entering vcpu_enter_guest handles KVM_REQ_TLB_FLUSH
 * (kvm_vcpu_flush_tlb_all: INVEPT). A vCPU outside guest mode -- in its own fault (user_mem_abort's x86
 * twin, kvm_tdp_page_fault: waiting for the swap device, the MMU lock, direct reclaim), at the test's
 * rendezvous (exited to the VMM), or finished -- gets no IPI and costs the flusher no wait; it flushes
 * when it next enters. Every caller is inside kvm->mmu_lock held for write (kvm_handle_hva_range's
 * flush_on_ret), so all of it lengthens the hold.
 *
 * Virtual time: vCPU v is outside guest mode over [outFrom[v], outUntil[v]) (Infinity while the end is
 * not yet known); the flusher at time t kicks every vCPU in guest mode at t. Actors' clocks differ by up
 * to the scheduler's slack (scheduler.ts SCHED_SLACK_NS, 2 us), so a vCPU whose state changes within that
 * window of t may be judged on the wrong side. The running set is read at the time the flusher asks for
 * the lock (its wait, if any, is not known yet). A kicked vCPU pays kickExit at its next access (take).
 *
 * Costs (hardware profile), the flusher's: per vCPU of the VM two locked operations on the line holding
 * vcpu->requests and vcpu->mode (set_bit, cmpxchg: 2 x cmpxchg), plus vcpuRequest (one core-to-core
 * transfer of that line) unless kswapd flushed last and the vCPU has not touched the line since -- a
 * vCPU touches it when it changes mode (enters or leaves guest mode: vcpu_enter_guest writes
 * vcpu->mode, kvm_check_request clears the bit), so the line of a vCPU blocked in a fault or waiting in
 * the VMM stays in kswapd's cache from one flush to the next; direct reclaimers (vCPU threads of any
 * VM) are taken to find it remote; ipiSend per vCPU kicked, ipiAck once when any was kicked. The
 * vCPU's: kickExit per kick.
 */
import { C_CMPXCHG, C_IPI_ACK, C_IPI_SEND, C_KICK_EXIT, C_VCPU_REQUEST } from '../sim/costs.ts';

export class IpiKick {
  /** vCPU v is outside guest mode (vcpu->mode OUTSIDE_GUEST_MODE) over [outFrom[v], outUntil[v]). */
  private readonly outFrom: Float64Array;
  private readonly outUntil: Float64Array;
  /** Exit time each vCPU owes for kicks not yet charged (take). */
  private readonly owed: Float64Array;
  /**
   * When kswapd's last flush left vCPU v's requests/mode line in kswapd's cache (-Infinity: not there,
   * e.g. a direct reclaimer flushed last, or v was kicked and its exit took the line back). The vCPU
   * touches the line again when it leaves or enters guest mode: at outFrom / outUntil.
   */
  private readonly lineAt: Float64Array;
  private readonly lockedOpsNs: number;
  private readonly requestNs: number;
  private readonly sendNs: number;
  private readonly ackNs: number;
  private readonly exitNs: number;
  /** vCPUs the last flush sent an IPI. */
  lastKicked = 0;
  /** Request lines the last flush fetched from another CPU. */
  lastRemote = 0;

  constructor(
    readonly vcpus: number,
    costs: Float64Array,
  ) {
    this.outFrom = new Float64Array(vcpus);
    this.outUntil = new Float64Array(vcpus); // [0, 0): every vCPU starts in guest mode
    this.owed = new Float64Array(vcpus);
    this.lineAt = new Float64Array(vcpus).fill(-Infinity);
    this.lockedOpsNs = 2 * costs[C_CMPXCHG];
    this.requestNs = costs[C_VCPU_REQUEST];
    this.sendNs = costs[C_IPI_SEND];
    this.ackNs = costs[C_IPI_ACK];
    this.exitNs = costs[C_KICK_EXIT];
  }

  /** vCPU v leaves guest mode at t (a fault, the rendezvous, the end of its run); no-op if already out. */
  leave(v: number, t: number): void {
    if (this.outUntil[v] === Infinity) return;
    this.outFrom[v] = t;
    this.outUntil[v] = Infinity;
  }

  /** vCPU v is back in guest mode from t (vcpu_enter_guest: mode = IN_GUEST_MODE). */
  enter(v: number, t: number): void {
    this.outUntil[v] = t;
  }

  /** Whether vCPU v is in guest mode at t (kvm_request_needs_ipi's mode != OUTSIDE_GUEST_MODE). */
  inGuest(v: number, t: number): boolean {
    return !(this.outFrom[v] <= t && t < this.outUntil[v]);
  }

  /**
   * kvm_make_all_cpus_request(kvm, KVM_REQ_TLB_FLUSH) by a flusher (kswapd, or a direct reclaimer) at
   * virtual time t: each vCPU in guest mode is kicked (owes kickExit); returns the flusher's ns.
   * lastKicked says how many were kicked, lastRemote how many request lines had to be fetched.
   */
  flush(t: number, kswapd: boolean): number {
    let kicked = 0;
    let remote = 0;
    const lineAt = this.lineAt;
    for (let v = 0; v < this.vcpus; v++) {
      const from = this.outFrom[v];
      const until = this.outUntil[v];
      const last = lineAt[v];
      // Still in kswapd's cache unless the vCPU left or entered guest mode since that flush (vcpu->mode
      // written; entering also clears the handled requests), by virtual time.
      if (!kswapd || last === -Infinity || (from > last && from <= t) || (until > last && until <= t)) remote++;
      lineAt[v] = kswapd ? t : -Infinity;
      if (from <= t && t < until) continue;
      this.owed[v] += this.exitNs;
      lineAt[v] = -Infinity; // its exit and re-entry take the line back before the next flush
      kicked++;
    }
    this.lastKicked = kicked;
    this.lastRemote = remote;
    return (
      this.vcpus * this.lockedOpsNs + remote * this.requestNs + kicked * this.sendNs + (kicked > 0 ? this.ackNs : 0)
    );
  }

  /** The exit time vCPU v owes (charged by the vCPU at its next access), reset to 0. */
  take(v: number): number {
    const x = this.owed[v];
    if (x !== 0) this.owed[v] = 0;
    return x;
  }
}
