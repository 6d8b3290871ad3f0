/** The scan workload with `slices` (max_guest_memory_test): each vCPU sweeps only its own slice, cyclically. */
import { describe, expect, it } from 'vitest';
import { PassBarrier, WL_WAIT, WorkloadGen } from '../../engine/core/sim/workload.ts';
import { Prng } from '../../engine/core/sim/prng.ts';

describe('scan with per-vCPU slices', () => {
  it('vCPU i of 4 over 1000 pages sweeps [250 i, 250 (i + 1)) and wraps; without slices it runs on', () => {
    for (let i = 0; i < 4; i++) {
      const w = new WorkloadGen(
        { kind: 'scan', pages: 1000, writeFraction: 0, thinkNs: 0, slices: true },
        1000,
        new Prng(1, i),
        i,
        4,
        undefined,
      );
      const seen = Array.from({ length: 600 }, () => w.next(0));
      expect(Math.min(...seen)).toBe(250 * i);
      expect(Math.max(...seen)).toBe(250 * i + 249);
      expect(seen[250]).toBe(250 * i);
    }
    const all = new WorkloadGen(
      { kind: 'scan', pages: 1000, writeFraction: 0, thinkNs: 0 },
      1000,
      new Prng(1, 0),
      3,
      4,
      undefined,
    );
    const seen = Array.from({ length: 600 }, () => all.next(0));
    expect(seen[0]).toBe(750);
    expect(seen[250]).toBe(0); // wrapped at the guest's end, not the slice's
  });
});

describe('the pass rendezvous (max_guest_memory_test)', () => {
  it('a vCPU that finished its pass waits until every vCPU finished it; the last arrival releases all', () => {
    const b = new PassBarrier(2);
    const mk = (i: number): WorkloadGen =>
      new WorkloadGen(
        { kind: 'scan', pages: 8, writeFraction: 0, thinkNs: 0, slices: true },
        8,
        new Prng(1, i),
        i,
        2,
        undefined,
        b,
      );
    const [a, c] = [mk(0), mk(1)];
    expect([0, 1, 2, 3].map(() => a.next(0))).toEqual([0, 1, 2, 3]);
    expect(a.next(0)).toBe(WL_WAIT);
    expect(a.next(0)).toBe(WL_WAIT);
    expect([0, 1, 2].map(() => c.next(0))).toEqual([4, 5, 6]);
    expect(a.next(0)).toBe(WL_WAIT);
    expect(c.next(0)).toBe(7); // the last page: c arrives, both are released
    expect(a.next(0)).toBe(0);
    expect(c.next(0)).toBe(4);
  });
});
