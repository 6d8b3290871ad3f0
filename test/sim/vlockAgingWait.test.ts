/**
 * The virtual MMU lock's attribution of a wait to aging (sync/vlock.ts `agingWaitNs`, summed into the
 * run's lockWaitAgingNs): the part of a waiter's [request, grant) during which the next write hold to
 * release ahead of it was an aging/harvest one (kvm_age_gfn / kvm_test_age_gfn under
 * write_lock(&kvm->mmu_lock) in the locked harvest modes).
 *
 * - A constructed calendar, hand-computed: a writer behind two aging holds separated by a non-aging
 *   read hold, found over two passes of writeSlow (the second aging hold was booked ahead of it though
 *   it arrived later, as an out-of-order booking does).
 * - Against the event-ordered qrwlock (qrwlockRef.ts, its per-waiter attribution) over random
 *   arrival-ordered requests with aging flags, readers and writers.
 * - The wait histograms (LH_READ_WAIT / LH_WRITE_WAIT) against the summed waits (grant - t): one count
 *   per request, the sum inside the buckets' bounds. Control (injected by hand, session 5): the writer
 *   fast path counting its wait in LH_READ_WAIT fails it (3,689 read-wait counts for 3,210 reads).
 * Negative control: the old attribution (each pass restarting it, kept in VLockRef as
 * `lastPassOnlyAging`) reports 0 for every writer that waited (its last pass is the one that moved
 * nothing) and fails both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VLock, vclock } from '../../engine/core/sync/vlock.ts';
import { LH_BUCKETS, LH_READ_WAIT, LH_WORDS, LH_WRITE_WAIT } from '../../engine/core/sim/simLayout.ts';
import { Prng } from '../../engine/core/sim/prng.ts';
import { qrwlockGrants, type QRequest } from './qrwlockRef.ts';
import { VLockRef } from './vlockRef.ts';

interface Booker {
  read(t: number, hold: number, aging: boolean): number;
  write(t: number, hold: number, aging: boolean): number;
  agingWaitNs: number;
}

afterEach(() => {
  vclock.floor = 0;
});

/**
 * W1 aging write [0, 100); R1 read at 50, queued behind W1: [100, 150); W2 aging write at 150 (after
 * R1): [150, 200); then X, a non-aging write of 30 ns that arrived at 10, booked last (out of order).
 * writeSlow pass 1: past W1 (aging: 100 - 10 = 90), W2 starts after [100, 130) and arrived after X so
 * the scan stops; past R1 to 150. Pass 2: [150, 180) overlaps W2: past it (aging: 200 - 150 = 50).
 * Pass 3 moves nothing. Grant 200, wait 190, of which 140 behind aging (R1's 50 are behind a reader).
 */
function constructed(lock: Booker): { grant: number; aging: number } {
  vclock.floor = 0;
  expect(lock.write(0, 100, true)).toBe(0);
  expect(lock.read(50, 50, false)).toBe(100);
  expect(lock.write(150, 50, true)).toBe(150);
  const grant = lock.write(10, 30, false);
  return { grant, aging: lock.agingWaitNs };
}

/** Random requests, arrivals increasing; a third of the writes are aging holds. */
function requests(seed: number, n: number, writeFraction: number): QRequest[] {
  const prng = new Prng(seed, 3);
  const out: QRequest[] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += 1 + prng.nextBelow(300);
    const write = prng.nextFloat() < writeFraction;
    out.push({ write, t, hold: 20 + prng.nextBelow(write ? 1500 : 400), aging: write && prng.nextFloat() < 0.33 });
  }
  return out;
}

/** Per request in arrival order: [grant, agingWaitNs], the floor at the request's time. */
function book(lock: Booker, reqs: QRequest[]): number[][] {
  return reqs.map((r) => {
    vclock.floor = r.t;
    const s = r.write ? lock.write(r.t, r.hold, r.aging === true) : lock.read(r.t, r.hold, r.aging === true);
    return [s, lock.agingWaitNs];
  });
}

describe('MMU-lock wait attributed to aging holds (VLock.agingWaitNs)', () => {
  it('a writer behind two aging holds and a reader between them, over two passes: 140 of its 190 ns', () => {
    expect(constructed(new VLock(0))).toEqual({ grant: 200, aging: 140 });
    expect(constructed(new VLockRef(0))).toEqual({ grant: 200, aging: 140 });
  });

  it('negative control: the last-pass-only attribution reports 0 of the 190 ns', () => {
    expect(constructed(new VLockRef(0, new Float64Array(0), true))).toEqual({ grant: 200, aging: 0 });
  });

  it.each([
    [1, 0.3],
    [2, 0.5],
    [3, 0.15],
    [4, 0.3],
    [5, 0.6],
  ])('seed %i, write fraction %f: grants and aging waits equal qrwlockRef (arrival order)', (seed, wf) => {
    const reqs = requests(seed, 800, wf);
    const want = qrwlockGrants(reqs).map((g) => [g.start, g.agingWaitNs]);
    expect(book(new VLock(0), reqs)).toEqual(want);
    // Not vacuous: writers and readers waited behind aging holds, and some waits were partly not.
    const aged = want.map(([, a], i) => ({ r: reqs[i], a, wait: want[i][0] - reqs[i].t }));
    expect(aged.some((x) => x.r.write && x.a > 0)).toBe(true);
    expect(aged.some((x) => !x.r.write && x.a > 0)).toBe(true);
    expect(aged.some((x) => x.a > 0 && x.a < x.wait)).toBe(true);
  });

  it('negative control: the last-pass-only attribution differs from qrwlockRef (writers that waited)', () => {
    const reqs = requests(1, 800, 0.3);
    const want = qrwlockGrants(reqs).map((g) => [g.start, g.agingWaitNs]);
    const got = book(new VLockRef(0, new Float64Array(0), true), reqs);
    const bad = reqs.map((_, i) => i).filter((i) => got[i][1] !== want[i][1]);
    expect(bad.length).toBeGreaterThan(0);
    // Only the attribution differs, never a grant, and only for writers.
    expect(got.map(([s]) => s)).toEqual(want.map(([s]) => s));
    expect(bad.every((i) => reqs[i].write)).toBe(true);
  });

  it('out of order (4 actors, interleaved bookings): 0 <= agingWaitNs <= wait, and only the attribution differs from the old', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const prng = new Prng(seed, 11);
      vclock.floor = 0;
      const lock = new VLock(0);
      const old = new VLockRef(0, new Float64Array(0), true);
      const clocks = [0, 0, 0, 0];
      let changed = 0;
      let aged = 0;
      for (let i = 0; i < 5_000; i++) {
        const a = prng.nextBelow(clocks.length);
        if (prng.nextFloat() < 0.6) clocks[a] += prng.nextFloat() * 900;
        vclock.floor = Math.min(...clocks);
        const write = prng.nextFloat() < 0.35;
        const aging = write && prng.nextFloat() < 0.3;
        const hold = 10 + prng.nextFloat() * 3000;
        const t = clocks[a];
        const s = write ? lock.write(t, hold, aging) : lock.read(t, hold, aging);
        const sOld = write ? old.write(t, hold, aging) : old.read(t, hold, aging);
        expect(s).toBe(sOld);
        expect(lock.agingWaitNs).toBeGreaterThanOrEqual(0);
        expect(lock.agingWaitNs).toBeLessThanOrEqual(s - t);
        if (lock.agingWaitNs !== old.agingWaitNs) {
          changed++;
          expect(write).toBe(true);
        }
        if (lock.agingWaitNs > 0) aged++;
        clocks[a] = s + hold;
      }
      expect(aged).toBeGreaterThan(100);
      expect(changed).toBeGreaterThan(0);
    }
  });

  it('wait histograms agree with the summed waits (counts, and sums within the log2 buckets), in order and out of order', () => {
    for (const seed of [1, 2, 3]) {
      const prng = new Prng(seed, 13);
      vclock.floor = 0;
      const hist = new Float64Array(LH_WORDS);
      const lock = new VLock(0, hist);
      const clocks = [0, 0, 0, 0];
      const n = [0, 0];
      const sum = [0, 0];
      for (let i = 0; i < 5_000; i++) {
        const a = prng.nextBelow(clocks.length);
        if (prng.nextFloat() < 0.6) clocks[a] += prng.nextFloat() * 900;
        vclock.floor = Math.min(...clocks);
        const write = prng.nextFloat() < 0.35;
        const hold = 10 + prng.nextFloat() * 3000;
        const t = clocks[a];
        const s = write ? lock.write(t, hold, false) : lock.read(t, hold, false);
        n[write ? 1 : 0]++;
        sum[write ? 1 : 0] += s - t;
        clocks[a] = s + hold;
      }
      for (const [kind, k] of [
        [LH_READ_WAIT, 0],
        [LH_WRITE_WAIT, 1],
      ]) {
        const row = hist.subarray(kind * LH_BUCKETS, (kind + 1) * LH_BUCKETS);
        expect(row.reduce((x, y) => x + y, 0)).toBe(n[k]);
        // Bucket b >= 1 holds [2^(b-1), 2^b); bucket 0 holds [0, 1).
        let lo = 0;
        let hi = 0;
        row.forEach((c, b) => {
          lo += b === 0 ? 0 : c * 2 ** (b - 1);
          hi += c * 2 ** b;
        });
        expect(sum[k]).toBeGreaterThanOrEqual(lo);
        expect(sum[k]).toBeLessThan(hi);
        expect(sum[k]).toBeGreaterThan(0);
      }
    }
  });
});
