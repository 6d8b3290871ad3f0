/**
 * kvm/mmuInvalidate.ts keeps one VM's mmu_invalidate_in_progress as its busy periods over virtual time
 * (disjoint, sorted) and answers mmu_invalidate_retry(sample, check) from the newest ones: O(1) per
 * booking and check. Checked against a slow reference, the definition itself: some invalidation
 * [begin, end) ended after `sample` (mmu_invalidate_seq moved) and began before `check` (or is still in
 * progress at it), over every invalidation ever booked. Bookings come in about virtual-time order, with
 * some out of it (as reclaim steps booked out of order by the scheduler). Hand-computed cases pin the
 * merge and the edges. Negative control: each booking appended as a period of its own (no merge, no
 * ordering): the reference comparison fails (ran as the last case).
 */
import { describe, expect, it } from 'vitest';
import { MmuInvalidate } from '../../engine/core/kvm/mmuInvalidate.ts';
import { VLock } from '../../engine/core/sync/vlock.ts';
import { rng } from '../rng.ts';

function vm(): MmuInvalidate {
  return new MmuInvalidate({
    vcpus: 1,
    vlock: new VLock(0),
    shared: false,
    stats: new Float64Array(64),
    sb: 0,
    costs: new Float64Array(64),
    mapHold: 0,
  });
}

/** The definition over every invalidation booked. */
function retryRef(inv: [number, number][], sample: number, check: number): boolean {
  return inv.some(([b, e]) => e > sample && b < check);
}

/** The planted bug: every invalidation its own period, appended in booking order. */
function plantAppendOnly(m: MmuInvalidate): void {
  const self = m as unknown as { p: Float64Array; pe: number };
  m.invalidate = (begin: number, end: number): void => {
    self.p[self.pe] = begin;
    self.p[self.pe + 1] = end;
    self.pe += 2;
  };
}

/** Random bookings (durations 0.2-3 us, gaps 0-4 us, 1 in 8 booked up to 20 us early) and checks. */
function mismatches(seed: number, plant = false): number {
  const r = rng(seed);
  const m = vm();
  if (plant) plantAppendOnly(m);
  const inv: [number, number][] = [];
  let t = 0;
  let bad = 0;
  for (let k = 0; k < 1500; k++) {
    t += r() * 4000;
    const begin = r() < 0.125 ? t - r() * 20_000 : t;
    const end = begin + 200 + r() * 2800;
    m.invalidate(begin, end);
    inv.push([begin, end]);
    // A fault's window near now: mmu_seq read up to 30 us back, checked up to 5 us ahead.
    const sample = t - r() * 30_000;
    const check = sample + 500 + r() * (t + 5000 - sample);
    if (m.retry(sample, check) !== retryRef(inv, sample, check)) bad++;
  }
  return bad;
}

describe('mmu_invalidate_retry from the busy periods of mmu_invalidate_in_progress', () => {
  it('hand-computed: overlapping invalidations are one period; the edges', () => {
    const m = vm();
    m.invalidate(10, 20);
    m.invalidate(15, 30); // overlaps: [10, 30)
    expect(m.retry(25, 26)).toBe(true); // in progress at the check
    expect(m.retry(29, 40)).toBe(true); // ended (30) after the sample
    expect(m.retry(30, 40)).toBe(false); // ended at the sample: mmu_seq read after the bump
    m.invalidate(40, 50);
    m.invalidate(32, 35); // booked out of order, between the two
    expect(m.retry(31, 33)).toBe(true);
    expect(m.retry(35, 40)).toBe(false); // ended at the sample, the next begins at the check
    expect(m.retry(35, 41)).toBe(true);
    m.invalidate(28, 45); // bridges every period: [10, 50)
    expect(m.retry(31, 32)).toBe(true);
    expect(m.retry(50, 60)).toBe(false);
    expect(m.retry(0, 10)).toBe(false); // before the first began
  });

  it('agrees with the definition on random bookings, some out of virtual-time order', () => {
    for (let seed = 1; seed <= 8; seed++) expect(mismatches(seed)).toBe(0);
  });

  it('keeps the newest periods only: a long run does not grow it', () => {
    const m = vm();
    for (let k = 0; k < 100_000; k++) m.invalidate(k * 10, k * 10 + 5);
    expect((m as unknown as { p: Float64Array }).p.length).toBe(4096);
    expect(m.retry(999_990 - 1, 999_991)).toBe(true);
    expect(m.retry(999_995, 1e9)).toBe(false);
  });

  it('negative control: each booking its own period, appended (no merge, no order), disagrees', () => {
    let bad = 0;
    for (let seed = 1; seed <= 8; seed++) bad += mismatches(seed, true);
    expect(bad).toBeGreaterThan(0);
  });
});
