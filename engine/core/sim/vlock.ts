/**
 * Virtual-time reservations of one guest's MMU lock (the `vlocks` region, simLayout.ts).
 *
 * Actors run one step at a time in real execution but each step spans virtual time. A holder
 * records the virtual interval [start, end) it held the lock; a later acquirer whose clock falls
 * inside a conflicting interval waits: its clock moves to the interval's end (DESIGN.md "lock
 * waits push a waiter's clock to the holder's release"). Readers conflict with the last writer
 * interval; writers with the last writer interval and the readers' interval (the union of
 * overlapping read holds, aging readers kept apart for attribution). An acquirer whose clock is
 * before a recorded interval arrived first in virtual time and does not wait (the scheduler keeps
 * actors within a few microseconds of each other, so such overlaps are short).
 *
 * Two-phase: `*Start(t)` gives the virtual time the lock is granted, the caller does its work,
 * then `*Release(start, end, aging)` records the hold. The real mmuLock (../mmuLock.ts) is taken
 * too, around the real table update, so concurrent table updates are safe regardless.
 */
import {
  VL_R_END,
  VL_R_START,
  VL_RA_END,
  VL_RA_START,
  VL_W_AGING,
  VL_W_END,
  VL_W_START,
  VL_WORDS,
} from './simLayout.ts';

export class VLock {
  readonly base: number;
  /** Of the last wait computed by readStart/writeStart: the part caused by aging/harvest holds. */
  agingWaitNs = 0;

  constructor(
    readonly v: Float64Array,
    guest: number,
  ) {
    this.base = guest * VL_WORDS;
  }

  readStart(t: number): number {
    const v = this.v;
    const b = this.base;
    const we = v[b + VL_W_END];
    if (v[b + VL_W_START] <= t && t < we) {
      this.agingWaitNs = v[b + VL_W_AGING] === 1 ? we - t : 0;
      return we;
    }
    this.agingWaitNs = 0;
    return t;
  }

  writeStart(t: number): number {
    const v = this.v;
    const b = this.base;
    let s = t;
    let aging = 0;
    // A few rounds: leaving one interval may land inside another.
    for (let round = 0; round < 3; round++) {
      const s0 = s;
      if (v[b + VL_W_START] <= s && s < v[b + VL_W_END]) {
        if (v[b + VL_W_AGING] === 1) aging += v[b + VL_W_END] - s;
        s = v[b + VL_W_END];
      }
      if (v[b + VL_RA_START] <= s && s < v[b + VL_RA_END]) {
        aging += v[b + VL_RA_END] - s;
        s = v[b + VL_RA_END];
      }
      if (v[b + VL_R_START] <= s && s < v[b + VL_R_END]) s = v[b + VL_R_END];
      if (s === s0) break;
    }
    this.agingWaitNs = aging;
    return s;
  }

  readRelease(start: number, end: number, aging: boolean): void {
    const v = this.v;
    const i = this.base + (aging ? VL_RA_START : VL_R_START);
    // Union of overlapping read holds; a disjoint later hold replaces the record.
    if (start <= v[i + 1] && end >= v[i]) {
      if (start < v[i]) v[i] = start;
      if (end > v[i + 1]) v[i + 1] = end;
    } else if (start >= v[i + 1]) {
      v[i] = start;
      v[i + 1] = end;
    }
  }

  writeRelease(start: number, end: number, aging: boolean): void {
    const v = this.v;
    const b = this.base;
    if (start < v[b + VL_W_END] && end <= v[b + VL_W_END]) return; // older than the record: keep the newer
    v[b + VL_W_START] = start;
    v[b + VL_W_END] = end;
    v[b + VL_W_AGING] = aging ? 1 : 0;
  }
}
