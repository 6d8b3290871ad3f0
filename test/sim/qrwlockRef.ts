/**
 * A slow, event-ordered reference of the kernel's queued rwlock in virtual time (include/asm-generic/
 * qrwlock.h, kernel/locking/qrwlock.c, Linux 6.6), for checking the virtual MMU lock (sync/vlock.ts).
 *
 * Requests are processed in arrival order (ties: the order given), each knowing its hold length, so a
 * request's grant depends only on requests that arrived before it, as on a real CPU. The state is the
 * lock word's meaning over time plus the FIFO `wait_lock` (a queued spinlock):
 * - queued_read_lock: the fast path adds _QR_BIAS and succeeds unless cnts & _QW_WMASK, i.e. unless a
 *   writer holds the lock or waits for it (a writer that arrived at or before t and has not released).
 *   Otherwise queued_read_lock_slowpath: take wait_lock (FIFO: after the previous slow-path waiter let
 *   go of it), add the bias, wait until no writer holds (_QW_LOCKED clear), release wait_lock.
 * - queued_write_lock: the fast path succeeds only when cnts == 0 (no reader, no writer holding or
 *   waiting). Otherwise queued_write_lock_slowpath: take wait_lock, set _QW_WAITING (from then on no
 *   new reader gets in, fast or slow), wait until cnts == _QW_WAITING (the holding writer released and
 *   every reader inside drained), take _QW_LOCKED, release wait_lock.
 * Hand-offs take no time (the lab charges the acquire in the hold).
 *
 * Per-waiter attribution (`agingWaitNs`, the lab's "wait behind aging"): an instant x of a waiter's
 * wait [t, start) is behind aging when the next write hold to release ahead of the waiter (the first,
 * by release, of the write holds of requests that arrived before it with release in (x, start]) is an
 * aging one: the writer that holds the lock or heads the queue the waiter is in. Instants after the
 * last such release (the waiter behind readers only) are not. Stated on the event order, independent
 * of how the calendar finds its grant.
 */

export interface QRequest {
  write: boolean;
  /** Arrival: when the CPU calls read_lock / write_lock. */
  t: number;
  hold: number;
  /** An aging/harvest hold (default false). */
  aging?: boolean;
}

export interface QGrant {
  start: number;
  end: number;
  /** The part of [t, start) behind aging write holds (see the file comment). */
  agingWaitNs: number;
}

interface Held {
  write: boolean;
  aging: boolean;
  arrival: number;
  start: number;
  end: number;
}

/** Grants of `reqs`, in the order given (processed by arrival, stable). */
export function qrwlockGrants(reqs: readonly QRequest[]): QGrant[] {
  const order = reqs.map((_, i) => i).sort((a, b) => reqs[a].t - reqs[b].t || a - b);
  const out: QGrant[] = new Array<QGrant>(reqs.length);
  const held: Held[] = [];
  /** When the last slow-path waiter released wait_lock (its grant). */
  let queueFree = -Infinity;
  const writerIn = (x: number): boolean => held.some((h) => h.write && h.arrival <= x && x < h.end);
  const writerEndAt = (x: number): number => {
    let e = x;
    for (const h of held) if (h.write && h.start <= x && x < h.end && h.end > e) e = h.end;
    return e;
  };
  for (const i of order) {
    const { write, t, hold } = reqs[i];
    let start: number;
    if (!write) {
      if (!writerIn(t))
        start = t; // fast path
      else {
        const q = Math.max(t, queueFree);
        start = writerEndAt(q);
        // A writer granted exactly at the previous one's release (back to back) holds then too.
        for (let e = writerEndAt(start); e > start; e = writerEndAt(start)) start = e;
        queueFree = start;
      }
    } else {
      const busy = writerIn(t) || held.some((h) => !h.write && h.start <= t && t < h.end);
      if (!busy) start = t;
      else {
        const q = Math.max(t, queueFree);
        // _QW_WAITING from q: wait for the holding writer and for every reader inside to leave.
        start = q;
        for (let moved = true; moved;) {
          moved = false;
          for (const h of held)
            if (h.start <= start && start < h.end) {
              start = h.end;
              moved = true;
            }
        }
        queueFree = start;
      }
    }
    // Attribution: the write holds ahead (all of `held` arrived before) releasing in (t, start], by
    // release; each owns the stretch since the previous release (or t).
    const ahead = held.filter((h) => h.write && h.end > t && h.end <= start).sort((a, b) => a.end - b.end);
    let agingWaitNs = 0;
    let from = t;
    for (const h of ahead) {
      if (h.aging) agingWaitNs += h.end - from;
      from = h.end;
    }
    held.push({ write, aging: reqs[i].aging === true, arrival: t, start, end: start + hold });
    out[i] = { start, end: start + hold, agingWaitNs };
  }
  return out;
}
