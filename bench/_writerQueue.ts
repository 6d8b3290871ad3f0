/**
 * qrwlock's writer queue (include/asm-generic/qrwlock.h, kernel/locking/qrwlock.c, 6.1-6.12), reconstructed in
 * arrival order from a spread run's shared MMU-lock calendar (engine/core/sync/vlockShared.ts): the what-if of
 * bench/_mglruWindowsQueue.ts (QUEUE=1) on MmuInvalidate.settle, and its LOCKW diagnostic (session 18 a: engine code
 * in s18-a's commit 1590165 with a hand-computed test, test/sim/writerQueue.test.ts there; reverted, as it widened
 * the 600 ms agreement gap instead of closing it: docs/ARCHITECTURE.md "Session 18 (a)").
 *
 * Why: the shared calendar is booked in real-time order across workers (vlock.ts: a hold booked first is
 * honoured, a later booking yields to it). A worker that runs first in a quantum books its vCPUs' read holds
 * before the other worker's reclaim books the write holds that arrived earlier in virtual time; those writers
 * then fit into the gaps of the read holds. qrwlock is writer-fair: queued_write_lock_slowpath sets _QW_WAITING
 * once the writer owns wait_lock, and a reader that arrives then finds _QW_WMASK set (queued_read_lock's fast
 * path fails), queues on wait_lock behind the writer (queued_read_lock_slowpath) and gets the lock only after
 * that writer's release. Measured (session 17 a): the lone guest's reads waited 3-25x less than in the
 * deterministic run, the other worker's writes on its lock 2-4x more.
 *
 * The rule: the write holds in the window (both workers'; aging ones too, they are writers) in arrival order
 * (ties: booking order), each released at max(its arrival, the release of the one before) + its hold (its
 * recorded end - start): writers are granted in arrival order (wait_lock is FIFO; a writer waits for the
 * writers queued ahead). The read holds present at a writer's arrival are left out: it waits for them to
 * drain, at most the longest read hold (0.46 us measured on the 64-vCPU scenario, against waits of ~16 us in
 * the deterministic run); readers arriving after it queue behind it. A reader arriving at t is then granted
 * at the release of the last writer that arrived at or before t, if that is after t (readerGrant). The
 * window starts at the calendar's floor (the previous quantum's start): a convoy that began before it starts
 * at its first kept writer's arrival (an under-estimate at the window's head only).
 */
import { WRITE_DOUBLES as W } from '../engine/core/sync/vlockCalendar.ts';

/** Writers the queue holds at first (grown by doubling). */
const INITIAL = 256;

export class WriterQueue {
  /** Per writer, in arrival order: arrival; release in queue order; 1 if an invalidation (non-aging hold). */
  private arrival = new Float64Array(INITIAL);
  private release = new Float64Array(INITIAL);
  private inval = new Uint8Array(INITIAL);
  /** Writers held. */
  n = 0;

  /**
   * From the write records w[head, end) (vlockCalendar.ts: arrival, start, end, 1 for aging else a tag), sorted
   * by start: arrivals are <= starts, so nearly sorted by arrival already; an insertion sort.
   */
  build(w: Float64Array<ArrayBufferLike>, head: number, end: number): void {
    const n = (end - head) / W;
    if (n > this.arrival.length) {
      let k = this.arrival.length;
      while (k < n) k *= 2;
      this.arrival = new Float64Array(k);
      this.release = new Float64Array(k);
      this.inval = new Uint8Array(k);
    }
    const a = this.arrival;
    const hold = this.release; // holds first, releases after the sort
    const inv = this.inval;
    for (let k = 0, i = head; k < n; k++, i += W) {
      const t = w[i];
      const h = w[i + 2] - w[i + 1];
      const v = w[i + 3] === 1 ? 0 : 1;
      let j = k;
      for (; j > 0 && a[j - 1] > t; j--) {
        a[j] = a[j - 1];
        hold[j] = hold[j - 1];
        inv[j] = inv[j - 1];
      }
      a[j] = t;
      hold[j] = h;
      inv[j] = v;
    }
    let rel = -Infinity;
    for (let k = 0; k < n; k++) {
      rel = Math.max(a[k], rel) + hold[k];
      this.release[k] = rel;
    }
    this.n = n;
  }

  /** Index of the last writer that arrived at or before t (-1: none). */
  private lastBy(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.arrival[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /**
   * queued_read_lock at t behind the queue: the release of the last writer that arrived at or before t when
   * that is after t (a writer holds or waits: the reader queues behind it), else t (the reader fast path).
   * Releases are non-decreasing in arrival order, so the last one is the latest.
   */
  readerGrant(t: number): number {
    const i = this.lastBy(t);
    return i >= 0 && this.release[i] > t ? this.release[i] : t;
  }

  /**
   * Whether a writer that arrived at or before t and is an invalidation (a non-aging hold: an mmu-notifier
   * unmap or range_end) released after `sample`: a reader queued behind it then finds mmu_invalidate_seq
   * moved (or the invalidation in progress) at its check, mmu_invalidate_retry.
   */
  invalidatedAfter(t: number, sample: number): boolean {
    for (let i = this.lastBy(t); i >= 0 && this.release[i] > sample; i--) if (this.inval[i] === 1) return true;
    return false;
  }
}
