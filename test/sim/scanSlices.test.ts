/** The scan workload with `slices` (max_guest_memory_test): each vCPU sweeps only its own slice, cyclically. */
import { describe, expect, it } from 'vitest';
import { PassBarrier, WL_WAIT, WorkloadGen } from '../../engine/core/sim/workload.ts';
import { Prng } from '../../engine/core/sim/prng.ts';
import { GS_PASS_END_NS, GS_PASSES, GS_WORDS } from '../../engine/core/sim/simLayout.ts';

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
    expect(c.next(0)).toBe(7); // the last page: c arrives once that access is done (its next call)
    expect(a.next(0)).toBe(WL_WAIT);
    expect(c.next(0)).toBe(4); // c arrives last: both are released
    expect(a.next(0)).toBe(0);
  });

  it('records when each pass completed: the clock of the last vCPU to finish its slice (hand-computed)', () => {
    // Two vCPUs over 4 pages, slices [0, 2) and [2, 4). Each access takes 10 ns for vCPU 0 and 25 ns
    // for vCPU 1, as the vCPU's clock when it asks for the next page. vCPU 0 finishes pass 1 at 20,
    // vCPU 1 at 50: pass 1 ends at 50. Pass 2: vCPU 0 (released at its first retry after 50, at 60)
    // is done at 80, vCPU 1 at 50 + 50 = 100: pass 2 ends at 100, run 2 lasts 50 ns.
    const stats = new Float64Array(GS_WORDS);
    const b = new PassBarrier(2, stats, 0);
    const spec = { kind: 'scan', pages: 4, writeFraction: 0, thinkNs: 0, slices: true, passes: 2 } as const;
    const w = [0, 1].map((i) => new WorkloadGen(spec, 4, new Prng(1, i), i, 2, undefined, b));
    const clock = [0, 0];
    const step = [10, 25];
    const done = [false, false];
    const order: string[] = [];
    for (let guard = 0; guard < 100 && !(done[0] && done[1]); guard++) {
      // The vCPU with the earlier clock runs next (the scheduler's virtual-time order).
      const v = done[0] ? 1 : done[1] ? 0 : clock[0] <= clock[1] ? 0 : 1;
      const g = w[v].next(clock[v]);
      if (g === -1) done[v] = true;
      else if (g === WL_WAIT) clock[v] += 10;
      else {
        order.push(`${v}:${g}@${clock[v]}`);
        clock[v] += step[v];
      }
    }
    expect(done).toEqual([true, true]);
    expect(stats[GS_PASSES]).toBe(2);
    expect(stats[GS_PASS_END_NS]).toBe(50);
    expect(stats[GS_PASS_END_NS + 1]).toBe(100);
    expect(order).toEqual(['0:0@0', '1:2@0', '0:1@10', '1:3@25', '1:2@50', '0:0@60', '0:1@70', '1:3@75']);
  });

  it('a vCPU with passes: 2 is done after its second pass, not before (negative control: passes 3 goes on)', () => {
    const run = (passes: number): number => {
      const b = new PassBarrier(1);
      const spec = { kind: 'scan', pages: 3, writeFraction: 0, thinkNs: 0, slices: true, passes } as const;
      const w = new WorkloadGen(spec, 3, new Prng(1, 0), 0, 1, undefined, b);
      let n = 0;
      while (w.next(0) >= 0 && n < 100) n++;
      return n;
    };
    expect(run(2)).toBe(6);
    expect(run(3)).toBe(9);
  });
});
