/**
 * One VM's mmu_invalidate_seq and mmu_invalidate_in_progress (include/linux/kvm_host.h,
 * virt/kvm/kvm_main.c, v6.1-v6.6) and arm64's VM-wide mmu_invalidate_retry in user_mem_abort
 * (arch/arm64/kvm/mmu.c), in virtual time.
 *
 * The kernel: kvm_mmu_invalidate_begin (KVM_MMU_LOCK held, from mmu_notifier_invalidate_range_start)
 * increments mmu_invalidate_in_progress; kvm_mmu_invalidate_end (from range_end) increments
 * mmu_invalidate_seq and decrements in_progress. user_mem_abort reads mmu_seq = mmu_invalidate_seq
 * before __gfn_to_pfn_memslot and, under read_lock(&kvm->mmu_lock), gives up when
 * mmu_invalidate_retry(kvm, mmu_seq): in_progress != 0, or the sequence moved. Any gfn of the VM:
 * arm64 calls this VM-wide form (x86's is_page_fault_stale uses mmu_invalidate_retry_hva, in progress
 * only over the faulting hva; the lab's x86 profile, a what-if on the arm64 paths, takes the arm64 rule).
 *
 * The lab's actors are not at one virtual time: reclaim books an invalidation [begin, end) when its step
 * runs, ahead of or a little behind a faulting vCPU's clock. So the two counters are kept as their
 * history over virtual time: the busy periods of mmu_invalidate_in_progress (> 0 from the begin that
 * takes it off 0 to the end that brings it back), disjoint and sorted. Every kvm_mmu_invalidate_end,
 * i.e. every move of mmu_invalidate_seq, lies in a busy period or at its end; so mmu_invalidate_retry for
 * mmu_seq read at `sample` and checked at `check` is: a busy period ends after `sample` and begins before
 * `check`. Periods are booked in about virtual-time order: a new one is appended (or merged into the
 * last), a check looks at the newest ones only. O(1) per booking and per check, where the former check
 * scanned every invalidation of the last millisecond (Guest.invalidatedDuring, session 6, ~5 % of the
 * 1-worker profile): the same answer (a period is the union of invalidations that overlap).
 *
 * Spread runs (sim/spread.ts) also settle, at each quantum's start, the faults whose window met another
 * worker's invalidation booked after the check in real time (settle).
 */
import { C_AF_FAULT, C_LOCK_ACQUIRE } from '../sim/costs.ts';
import {
  GS_LOCK_HOLD_NS,
  GS_LOCK_WAIT_AGING_NS,
  GS_LOCK_WAIT_NS,
  GS_PRESSURE_NS,
  GS_STALL_NS,
} from '../sim/simLayout.ts';
import type { VLock } from '../sync/vlock.ts';

import { FAULTIN_FAST_NS } from './faultinFast.ts';
export { FAULTIN_FAST_NS };

/**
 * When a stage-2 fault trapped at t0 reads kvm->mmu_invalidate_seq: FAULTIN_FAST_NS before the end of its
 * trap and host path (trapNs: Guest.s2TrapNs, s2Fault less the part that is pKVM's map HVC, which comes
 * after the read, under the lock).
 */
export function mmuSeqAt(trapNs: number, t0: number): number {
  return t0 + Math.max(0, trapNs - FAULTIN_FAST_NS);
}

/**
 * A retry's re-fault: the guest re-executes the access and traps again (exit and entry round trip, the
 * access-flag fault's measured trap path, afFault), then user_mem_abort up to read_lock with the page
 * already resolved: mmap_read_lock, vma_lookup, mmu_seq read, __gfn_to_pfn_memslot -> hva_to_pfn_fast
 * (FAULTIN_FAST_NS, estimate). No host allocation or swap-in (the first fault resolved the pfn, its host
 * PTE stays), so not s2Fault (which includes the host page allocation).
 */
export function refaultNs(c: Float64Array): number {
  return c[C_AF_FAULT] + FAULTIN_FAST_NS;
}

/** Busy periods kept (the oldest are dropped): the former ring kept 1,024 invalidations, a period is >= 1. */
const PERIODS = 1024;
/** Spread runs: fault windows kept per worker's guest for a quantum (grown by doubling). */
const WIN_INITIAL = 256;

export interface MmuInvalidateParts {
  vcpus: number;
  /** The VM's kvm->mmu_lock in virtual time; a spread run's is the shared calendar (SharedVLock). */
  vlock: VLock;
  /** Spread runs: the other workers' invalidations are read from the shared calendar (VLock.writeMeets). */
  shared: boolean;
  stats: Float64Array;
  /** This guest's first counter in stats. */
  sb: number;
  costs: Float64Array;
  /** user_mem_abort's map hold under read_lock (Guest mapHoldNs). */
  mapHold: number;
}

export class MmuInvalidate {
  /** Busy periods of mmu_invalidate_in_progress, [begin, end) in p[ph, pe), sorted, disjoint. */
  private p = new Float64Array(PERIODS * 4);
  private ph = 0;
  private pe = 0;
  /** Stage-2 faults mmu_invalidate_retry sent back to the guest (-EAGAIN): diagnostics and tests. */
  retries = 0;
  /** refaultNs of the VM's costs. */
  readonly refaultNs: number;
  private readonly vlock: VLock;
  private readonly shared: boolean;
  private readonly stats: Float64Array;
  private readonly sb: number;
  private readonly costs: Float64Array;
  private readonly mapHold: number;
  /**
   * Spread runs: the faults this worker's vCPUs mapped in the quantum, (vCPU, mmu_seq read, read-lock
   * grant) each, re-checked against the other workers' invalidations of the quantum at the next one's
   * start (settle): a worker that ran first could not see those booked after it in real time.
   */
  private win = new Float64Array(WIN_INITIAL * 3);
  private winN = 0;
  /** Spread runs: the retries' time settle found per vCPU, paid at its next step (pay). */
  readonly owedNs: Float64Array;

  constructor(parts: MmuInvalidateParts) {
    this.vlock = parts.vlock;
    this.shared = parts.shared;
    this.stats = parts.stats;
    this.sb = parts.sb;
    this.costs = parts.costs;
    this.mapHold = parts.mapHold;
    this.refaultNs = refaultNs(parts.costs);
    this.owedNs = new Float64Array(parts.vcpus);
  }

  /**
   * kvm_mmu_invalidate_begin at `begin` (mmu_invalidate_in_progress++) and kvm_mmu_invalidate_end at `end`
   * (mmu_invalidate_seq++, in_progress--): one folio's unmap by reclaim (Guest.evictOne).
   */
  invalidate(begin: number, end: number): void {
    const p = this.p;
    let n = this.pe;
    // In virtual-time order (nearly always): after the last period, or overlapping it.
    if (n === this.ph || p[n - 1] < begin) {
      if (n + 2 > p.length) n = this.compact();
      this.p[n] = begin;
      this.p[n + 1] = end;
      this.pe = n + 2;
      return;
    }
    if (p[n - 2] < end) {
      // Overlaps the last period (it ends after `begin`): one busy period, maybe reaching further back.
      let lo = Math.min(p[n - 2], begin);
      const hi = Math.max(p[n - 1], end);
      let i = n - 2;
      while (i > this.ph && p[i - 1] > lo) {
        i -= 2;
        if (p[i] < lo) lo = p[i];
      }
      p[i] = lo;
      p[i + 1] = hi;
      this.pe = i + 2;
      return;
    }
    this.insertEarlier(begin, end);
  }

  /** invalidate for an invalidation booked before the last period (out of virtual-time order). */
  private insertEarlier(begin: number, end: number): void {
    let n = this.pe;
    if (n + 2 > this.p.length) n = this.compact();
    const p = this.p;
    // The periods it overlaps are p[i, j): those that end after `begin` and begin before `end`.
    let j = n;
    while (j > this.ph && p[j - 2] >= end) j -= 2;
    let i = j;
    while (i > this.ph && p[i - 1] > begin) i -= 2;
    if (i === j) {
      // Overlaps none: a period of its own at i.
      p.copyWithin(i + 2, i, n);
      p[i] = begin;
      p[i + 1] = end;
      this.pe = n + 2;
      return;
    }
    const lo = Math.min(p[i], begin);
    const hi = Math.max(p[j - 1], end);
    p[i] = lo;
    p[i + 1] = hi;
    if (j > i + 2) {
      p.copyWithin(i + 2, j, n);
      this.pe = n - (j - i - 2);
    }
  }

  /** Room for one more period at the end: the newest PERIODS - 1 moved to the front (older ones dropped). */
  private compact(): number {
    const keep = Math.min(this.pe - this.ph, (PERIODS - 1) * 2);
    this.p.copyWithin(0, this.pe - keep, this.pe);
    this.ph = 0;
    this.pe = keep;
    return keep;
  }

  /**
   * mmu_invalidate_retry(kvm, mmu_seq) (include/linux/kvm_host.h, v6.1-v6.6) for a fault that read mmu_seq
   * at `sample` and checks under read_lock at `check`: true when an invalidation of this VM was in progress
   * at `check` or ended after `sample` (mmu_invalidate_seq moved), whichever gfn it was for. A spread run
   * also reads the shared MMU-lock calendar, where every worker's reclaim records its holds (pruned at the
   * previous quantum's start); those another worker books later in real time: settle.
   */
  retry(sample: number, check: number): boolean {
    if (this.shared && this.vlock.writeMeets(sample, check)) return true;
    const p = this.p;
    // Newest first: periods beginning at or after `check` (booked ahead of it) are passed; the first one
    // that ends by `sample` ends the search (the older ones end earlier).
    for (let i = this.pe - 2; i >= this.ph; i -= 2) {
      if (p[i + 1] <= sample) return false;
      if (p[i] < check) return true;
    }
    return false;
  }

  /** Spread runs: a fault mapped by this worker with mmu_seq read at `sample` and the read lock at `grant`. */
  keep(vi: number, sample: number, grant: number): void {
    let w = this.win;
    const o = this.winN * 3;
    if (o + 3 > w.length) {
      const bigger = new Float64Array(w.length * 2);
      bigger.set(w);
      this.win = w = bigger;
    }
    w[o] = vi;
    w[o + 1] = sample;
    w[o + 2] = grant;
    this.winN++;
  }

  /**
   * Spread runs, at the start of this worker's quantum (scheduler.ts runUntil), before its actors book
   * anything: mmu_invalidate_retry for the faults this worker mapped in the quantum before, against the
   * invalidations the other workers booked (SharedVLock.writeMeets, othersOnly): those booked after the
   * fault's check in real time but meeting its [mmu_seq read, read-lock grant] window in virtual time,
   * which the kernel's check would have seen. Such a fault retries where it was, as Guest.mapLocked would
   * have: its re-faults (refaultNs), read-lock requests and checks, each re-fault retrying again while its
   * own window meets an invalidation (now every worker's of the quantum). The read-lock requests are booked
   * at that past time in arrival order (VLock.readFifo): behind the write holds that arrived before them,
   * not behind those that arrived after, which qrwlock would have queued behind them. The time the retries
   * add is owed by the vCPU (owedNs), paid at its next step (pay). This worker's own invalidations were
   * seen at the check, as in a deterministic run. Departure under pKVM (kvm_fault_lock takes the write
   * lock, Guest.faultWrite): these late re-faults are still booked as reads (VLock has no FIFO write
   * booking); spread runs only, and the HVC is in mapHold.
   */
  settle(): void {
    const w = this.win;
    const n = this.winN;
    this.winN = 0;
    if (!this.shared || n === 0) return;
    // The quantum's checks in one section of the shared calendar (VLock.enterSection: one mutex
    // acquisition; no try/finally, as in Guest.mapLocked).
    this.vlock.enterSection();
    this.settleWindows(w, n);
    this.vlock.exitSection();
  }

  private settleWindows(w: Float64Array, n: number): void {
    const s = this.stats;
    const sb = this.sb;
    const c = this.costs;
    const mapHold = this.mapHold;
    for (let k = 0; k < n; k++) {
      const o = k * 3;
      if (!this.vlock.writeMeets(w[o + 1], w[o + 2], true)) continue;
      // The check failed at the grant: the map's hold stays booked (over-charged by cmpxchg + CMO, as a
      // retry mapLocked finds only at the grant).
      const ended = w[o + 2] + mapHold;
      let now = ended;
      for (;;) {
        this.retries++;
        now += this.refaultNs;
        const sample = now - FAULTIN_FAST_NS;
        const early = this.retry(sample, now);
        const hold = early ? c[C_LOCK_ACQUIRE] : mapHold;
        const start = this.vlock.readFifo(now, hold);
        s[sb + GS_LOCK_WAIT_NS] += start - now;
        s[sb + GS_LOCK_WAIT_AGING_NS] += this.vlock.agingWaitNs;
        s[sb + GS_LOCK_HOLD_NS] += hold;
        now = start + hold;
        if (!early && !this.retry(sample, start)) break;
      }
      this.owedNs[w[o]] += now - ended;
    }
  }

  /**
   * Spread runs: the time settle found vCPU `vi`'s faults of the quantum before owe, paid at the start of
   * its step at `t` (a quantum late: its accesses since went on as if each fault had ended at its first
   * grant). Stall and pressure (unconstrained nothing invalidates). Returns when it goes on.
   */
  pay(vi: number, t: number): number {
    const ns = this.owedNs[vi];
    this.owedNs[vi] = 0;
    this.stats[this.sb + GS_STALL_NS] += ns;
    this.stats[this.sb + GS_PRESSURE_NS] += ns;
    return t + ns;
  }
}
