/**
 * The protection around one mmu-notifier age call on a VM's stage-2 and its place on the VM's virtual MMU
 * lock: kvm_handle_hva_range (virt/kvm/kvm_main.c) takes KVM_MMU_LOCK (write_lock(&kvm->mmu_lock) on arm64;
 * read_lock in the locked-read what-if) around the handler; the seed's lockless fast path
 * (kvm_arch_test_clear_young) runs under rcu_read_lock instead. After the hold, the pieces a hold may end
 * with are booked where they queue: under pKVM the EL2 section of __pkvm_host_test_clear_young_guest on the
 * VM's guest_lock_component (kvm/hypLock.ts), and the broadcast of __kvm_tlb_flush_vmid (TLBI VMALLS12E1IS +
 * DSB ISH) on the host's DVM Sync (arch/dvm.ts).
 *
 * Base class of the notifier (kvm/mmuNotifier.ts Harvester, through kvm/ageGfn.ts): subclasses call
 * begin(kind), do the hold's work advancing `t`, set dvmNs / el2Off / el2Ns when the hold ends with a
 * broadcast or an EL2 section, and call end(), which leaves `t` at the hold's release.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import { readLock, readUnlock, writeLock, writeUnlock } from './mmuLock.ts';
import { rcuReadLock, rcuReadUnlock } from '../sync/rcu.ts';
import { C_LOCK_ACQUIRE } from '../sim/costs.ts';
import type { LoneLock } from '../sim/replayLock.ts';
import type { Guest } from '../sim/guest.ts';
import { extendHold } from '../arch/dvm.ts';
import { el2Section, extendMmuHold } from './hypLock.ts';
import {
  GS_DVM_HOLD_WAIT_NS,
  GS_DVM_WAIT_NS,
  GS_KSWAPD_WRITE_WAIT_NS,
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_NS,
} from '../sim/simLayout.ts';

export class NotifierLock {
  /** The calling actor's virtual clock (ns); a double from the start (DOUBLE_ZERO, core/ownShape.ts). */
  t = DOUBLE_ZERO;
  /** Whether the caller is kswapd (its write-lock wait is counted apart). */
  kswapd = false;
  /** Virtual clock at begin (the work since then is the hold's length). */
  protected holdStart = DOUBLE_ZERO;
  /** The hold's length for endVlock (a field: a double passed to a call that is not inlined is a heap number). */
  private holdNs = DOUBLE_ZERO;
  /**
   * The service time of the broadcast (__kvm_tlb_flush_vmid) that ends the current hold, for end() to book
   * on the host's DVM Sync (arch/dvm.ts); 0 when the hold has none.
   */
  protected dvmNs = DOUBLE_ZERO;
  /**
   * pKVM: the EL2 critical section of the hold's __pkvm_host_test_clear_young_guest under the VM's
   * guest_lock_component (kvm/hypLock.ts): its offset from the hold's work start and its length; 0: none.
   */
  protected el2Off = DOUBLE_ZERO;
  protected el2Ns = DOUBLE_ZERO;
  private lockKind = 0; // 0 none (RCU), 1 write, 2 read
  /**
   * Set by the trace-replay fast path (sim/replay.ts: one worker, one agent on the arena): the real
   * rwlock would exclude nobody, so begin/end do not take it, as the replay's own map and unmap do
   * not. The virtual lock still charges every hold (end), and RCU is still entered: its read-side
   * sections decide when unlinked tables are freed.
   */
  loneAgent = false;
  /**
   * Set by the trace-replay fast path with loneAgent: the virtual MMU lock without its calendar
   * (sim/replayLock.ts says why a lone replay may skip it), shared with the replay's own requests.
   */
  loneLock: LoneLock | null = null;

  /**
   * The guest's counters view (KvmArch.gs: Guest.stats from Guest.sb, GS_WORDS words, the same
   * memory), cached for the notifier's per-folio counters: `g.stats[g.sb + X]` reloads g's fields and
   * re-checks its shape after each call that is not inlined (~8 instructions a counter; CLOCK's replay
   * counts three per folio considered, callgrind, session 16 (d)), and `stats[sb + X]` still loads sb and
   * checks the index sum for overflow (~6 more; session 17 (c)).
   */
  protected readonly gs: Float64Array;

  constructor(protected readonly g: Guest) {
    this.gs = g.gs;
  }

  /** Enter the mode's protection for the real table access: 0 RCU read-side, 1 write lock, 2 read lock. */
  protected begin(kind: number): void {
    const g = this.g;
    this.lockKind = kind;
    this.holdStart = this.t;
    if (kind === 0) rcuReadLock(g.rcu);
    else if (this.loneAgent === true)
      return; // `=== true`: a full ToBoolean otherwise (sim/replay.ts)
    else if (kind === 1) writeLock(g.lock);
    else readLock(g.lock);
  }

  /**
   * Leave it, and place the work done since begin (this.t - holdStart of virtual time) on the VM's
   * virtual lock: granted at or after the caller's clock, held for lockAcquire + the work.
   */
  protected end(): void {
    const g = this.g;
    const kind = this.lockKind;
    if (kind === 0) {
      this.dvmNs = 0;
      this.el2Ns = 0;
      rcuReadUnlock(g.rcu);
      return;
    }
    if (this.loneAgent === false) {
      if (kind === 1) writeUnlock(g.lock);
      else readUnlock(g.lock);
    }
    const t = this.holdStart;
    const hold = g.costs[C_LOCK_ACQUIRE] + (this.t - t);
    const lone = this.loneLock;
    if (lone !== null) {
      // The trace replay's lock without the calendar (sim/replayLock.ts): granted at t, so the wait
      // counters' += 0 are left out. Not booked by the trace replay's lone agent: dvmNs (its broadcasts
      // are sequential: arch/dvm.ts).
      this.dvmNs = 0;
      this.el2Ns = 0;
      lone.reqT = t;
      lone.reqHold = hold;
      if (kind === 1)
        lone.write(); // and GS_LOCK_HOLD_NS += hold (LoneLock.holdNs)
      else lone.read();
      this.t = t + hold;
      return;
    }
    this.holdNs = hold;
    this.endVlock();
  }

  /**
   * end() on the virtual lock (every run but the trace replay's lone agent), apart from end so that the
   * lone path stays small enough to inline into folioReferenced (session 14 (a)): the hold of holdNs
   * from holdStart.
   */
  private endVlock(): void {
    const g = this.g;
    const t = this.holdStart;
    const hold = this.holdNs;
    const dvmNs = this.dvmNs;
    this.dvmNs = 0;
    const el2Ns = this.el2Ns;
    this.el2Ns = 0;
    // vlock.write / read(t, hold, true) with the request and the grant in fields: a double passed to or
    // returned from a call that is not inlined is a heap number (an allocation per aged folio).
    const vlock = g.vlock;
    vlock.reqT = t;
    vlock.reqHold = hold;
    if (this.lockKind === 1) vlock.writeReq(true);
    else vlock.readReq();
    const granted = vlock.grant;
    const wait = granted - t;
    g.stats[g.sb + GS_LOCK_WAIT_NS] += wait;
    if (this.lockKind === 1 && this.kswapd) g.stats[g.sb + GS_KSWAPD_WRITE_WAIT_NS] += wait;
    g.stats[g.sb + GS_LOCK_HOLD_NS] += hold;
    this.t = granted + hold;
    const guest = g.hypGuestLock;
    if (el2Ns > 0 && guest !== null) {
      // pKVM: the test's EL2 section under guest_lock_component. Nested in this VM's write hold, as every
      // other taker of it in the lab is, so it does not wait; a wait would lengthen the hold (before the
      // flush, which then issues later).
      const wait = el2Section(null, guest, granted + g.costs[C_LOCK_ACQUIRE] + this.el2Off, el2Ns);
      if (wait > 0) {
        g.stats[g.sb + GS_LOCK_HOLD_NS] += wait;
        this.t = extendMmuHold(vlock, guest, this.t, wait, true);
      }
    }
    const ns = dvmNs;
    if (ns > 0 && g.dvm !== null) {
      // __kvm_tlb_flush_vmid's TLBI VMALLS12E1IS + DSB ISH, issued at the end of the hold's other work,
      // queues behind the broadcasts in flight; the flusher spins in the DSB holding the lock (for write;
      // for read in the locked-read what-if).
      const issue = this.t - ns;
      const dvmWait = g.dvm.broadcast(issue, ns) - this.t;
      if (dvmWait > 0) {
        g.stats[g.sb + GS_DVM_WAIT_NS] += dvmWait;
        g.stats[g.sb + GS_DVM_HOLD_WAIT_NS] += dvmWait;
        g.stats[g.sb + GS_LOCK_HOLD_NS] += dvmWait;
        this.t = extendHold(vlock, g.dvm, this.t, dvmWait, this.lockKind === 1, true);
      }
    }
  }
}
