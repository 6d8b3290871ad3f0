/**
 * The host's DVM Sync calendar shared by every worker of a parallel run (engine/core/arch/dvm.ts sharedDvm,
 * simLayout.ts SimBuffers.dvm): a broadcast TLBI + DSB ISH issued on one worker queues behind those issued
 * on the other, as every PE's Syncs complete one after another on the one interconnect (AMBA 5 CHI DVM flow
 * control: one SnpDVMOp(Sync) outstanding per RN).
 *
 * Negative controls:
 * - Built in: the same bookings on per-worker calendars (two private Dvm, the approximation before; in the
 *   engine, the hook perWorkerDvm) give the other grants, which the hand-computed expectations reject.
 * - Run by hand (session 12): composeWorker.ts building `new Dvm()` whatever SimBuffers.dvm holds: the
 *   engine test fails (both orders' shared dvmWaitNs equal the control's).
 */
import { describe, expect, it } from 'vitest';
import { Dvm, dvmSharedBytes, dvmSharedRecords, sharedDvm } from '../../engine/core/arch/dvm.ts';
import { runInterleaved, prepareRun } from '../../engine/core/sim/run.ts';
import { TIME_QUANTUM_END, TIME_WORDS } from '../../engine/core/sim/simLayout.ts';
import { spreadScenario } from './fixtures.ts';

const Q = 1_000_000;

/** Two workers' DVM calendars: one shared buffer (the parallel run's) or each its own (the control). */
function calendars(shared: boolean): [Dvm, Dvm] {
  if (!shared) return [new Dvm(), new Dvm()];
  const sab = new SharedArrayBuffer(dvmSharedBytes(dvmSharedRecords(8, Q, 600), 2));
  const time = new Float64Array(TIME_WORDS);
  time[TIME_QUANTUM_END] = Q; // the first quantum: nothing pruned before -Q
  return [sharedDvm(sab, time, Q, 0, 2), sharedDvm(sab, time, Q, 1, 2)];
}

/** Worker 0 books its quantum first (runInterleaved's order [0, 1]), then worker 1: the grants' ends. */
function bookings(shared: boolean): { ends: number[]; d: [Dvm, Dvm] } {
  const d = calendars(shared);
  const ends = [
    d[0].broadcast(1000, 900), //                  worker 0 alone: [1000, 1900)
    d[0].broadcasts(4000, 600, 2), //              worker 0, an unmap's two back to back: [4000, 5200)
    d[1].broadcast(1300, 900), //                  worker 1 at 1300: behind worker 0's, [1900, 2800)
    d[1].broadcast(3800, 600), //                  worker 1 at 3800: [3800, 4400) would overlap worker 0's
    //                                             [4000, 5200), booked first in real time: yields, [5200, 5800)
    d[1].broadcast(6000, 600), //                  after every hold: no wait
  ];
  return { ends, d };
}

describe('DVM Sync shared by the workers of a parallel run (arch/dvm.ts sharedDvm)', () => {
  it("a broadcast on worker 1 queues behind worker 0's, hand-computed; per-worker calendars (control) do not", () => {
    const s = bookings(true);
    expect(s.ends).toEqual([1900, 5200, 2800, 5800, 6600]);
    expect([s.d[0].waitNs + 0, s.d[1].waitNs]).toEqual([0, 600 + 1400]); // + 0: DOUBLE_ZERO is -0
    expect([s.d[0].waited, s.d[1].waited]).toEqual([0, 2]);
    // The control: worker 1's broadcasts never see worker 0's.
    const c = bookings(false);
    expect(c.ends).toEqual([1900, 5200, 2200, 4400, 6600]);
    expect(c.ends).not.toEqual(s.ends);
    expect(c.d[1].waitNs + 0).toBe(0);
  });

  it('holds are kept from the previous quantum on: a broadcast of the next quantum still queues behind one that ends in it', () => {
    const sab = new SharedArrayBuffer(dvmSharedBytes(dvmSharedRecords(8, Q, 600), 2));
    const time = new Float64Array(TIME_WORDS);
    time[TIME_QUANTUM_END] = Q;
    const [a, b] = [sharedDvm(sab, time, Q, 0, 2), sharedDvm(sab, time, Q, 1, 2)];
    expect(a.broadcast(Q - 100, 900)).toBe(Q + 800); // booked at the quantum's end, served past it
    time[TIME_QUANTUM_END] = 2 * Q; // the next quantum: the floor moves to its start - Q = 0
    expect(b.broadcast(Q + 200, 600)).toBe(Q + 1400); // behind worker 0's: waited 600
    expect(b.waitNs).toBe(600);
  });

  it('a parallel arm64 run allocates the shared calendar; a deterministic run and x86 do not', () => {
    const cfg = spreadScenario();
    expect(
      prepareRun({ ...cfg, run: { ...cfg.run, deterministic: false, workers: 2 } }, {}, 2).buffers.dvm,
    ).toBeDefined();
    expect(prepareRun(cfg, {}, 1).buffers.dvm).toBeUndefined();
    const x86 = { ...cfg, hardware: { ...cfg.hardware, remoteTlbFlush: 'ipi-kick' as const } };
    expect(
      prepareRun({ ...x86, run: { ...x86.run, deterministic: false, workers: 2 } }, {}, 2).buffers.dvm,
    ).toBeUndefined();
  });

  it('one-thread spread run, either worker first: broadcasts wait across workers, more than on per-worker calendars', () => {
    for (const o of [
      [0, 1],
      [1, 0],
    ]) {
      const shared = runInterleaved(spreadScenario(), 2, o).summary;
      const control = runInterleaved(spreadScenario(), 2, o, { hooks: { perWorkerDvm: true } }).summary;
      const line = JSON.stringify({ o, shared: shared.dvmWaitNs, control: control.dvmWaitNs });
      expect(shared.dvmWaitNs ?? 0, line).toBeGreaterThan(0);
      expect(shared.dvmWaitNs ?? 0, line).toBeGreaterThan(control.dvmWaitNs ?? 0);
    }
  });
});
