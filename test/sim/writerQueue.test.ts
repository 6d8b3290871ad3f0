/**
 * qrwlock's writer-fairness in spread runs (session 18 a): queued_read_lock_slowpath queues a reader that arrives
 * while a writer holds or waits (_QW_WAITING) behind that writer, so it gets the lock only at the writer's
 * release. A spread run's shared calendar is booked in real-time order: a worker that books its reads first
 * lets them in ahead of the other worker's writers that arrived earlier. MmuInvalidate.settle rebuilds the
 * writer queue in arrival order (sync/writerQueue.ts) and charges the first read request its wait there.
 *
 * Hand-computed from the Altra profile's costs (printed by the cases' first expectations): the unmap's write
 * hold 1,660 ns (unmapHoldNs), the VMM's PTE flush 600 ns before range_end's hold of 40 ns, the map's read hold
 * 460 ns (mapHoldNs), a re-fault 451 + 500 ns (afFault + FAULTIN_FAST_NS).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WriterQueue } from '../../engine/core/sync/writerQueue.ts';
import { FAULTIN_FAST_NS } from '../../engine/core/kvm/mmuInvalidate.ts';
import {
  hostUnmapFlushNs,
  invalidateEndHoldNs,
  mapHoldNs,
  unmapHoldNs,
  type Guest,
} from '../../engine/core/sim/guest.ts';
import { C_AF_FAULT, C_S2_FAULT } from '../../engine/core/sim/costs.ts';
import { GS_LOCK_WAIT_NS } from '../../engine/core/sim/simLayout.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';
import { prepareRun } from '../../engine/core/sim/run.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { VCpu } from '../../engine/core/sim/vcpu.ts';
import { hardware, uniformGuestScenario } from './fixtures.ts';

/** Write records as the calendar keeps them (arrival, start, end, 1 aging / else a tag), sorted by start. */
function queueOf(...recs: [number, number, number, number][]): WriterQueue {
  const q = new WriterQueue();
  const w = Float64Array.from(recs.flat());
  q.build(w, 0, w.length);
  return q;
}

describe('WriterQueue: the writers in arrival order, each released at max(arrival, the release before) + its hold', () => {
  // Booked in real time after a read hold [200, 300): writer A arrived at 100 (hold 50) was placed at [300, 350),
  // writer B (arrived 120, hold 30, aging) at [350, 380), writer C (arrived 500, hold 20) at [500, 520).
  const q = queueOf([100, 300, 350, 3], [120, 350, 380, 1], [500, 500, 520, 2]);

  it('releases: A 100 + 50 = 150, B max(120, 150) + 30 = 180, C 500 + 20 = 520', () => {
    expect(q.readerGrant(99)).toBe(99); // no writer yet: the reader fast path
    expect(q.readerGrant(100)).toBe(150); // behind A (arrived at the same instant: queued first)
    expect(q.readerGrant(110)).toBe(150);
    expect(q.readerGrant(130)).toBe(180); // behind A and B
    expect(q.readerGrant(180)).toBe(180); // B's release: granted then
    expect(q.readerGrant(200)).toBe(200); // the queue is empty again
    expect(q.readerGrant(510)).toBe(520);
  });

  it('invalidatedAfter: only a non-aging writer that arrived by t and released after the sample', () => {
    expect(q.invalidatedAfter(130, 100)).toBe(true); // A released at 150 > 100
    expect(q.invalidatedAfter(130, 160)).toBe(false); // B (aging) only released after 160
    expect(q.invalidatedAfter(99, 0)).toBe(false); // none arrived yet
    expect(q.invalidatedAfter(510, 515)).toBe(true); // C
  });

  it('sorts records booked out of arrival order (ties keep booking order)', () => {
    const r = queueOf([300, 300, 310, 2], [100, 310, 400, 3], [100, 400, 405, 2]);
    // Arrival order 100 (hold 90), 100 (hold 5), 300 (hold 10): releases 190, 195, 310.
    expect(r.readerGrant(100)).toBe(195);
    expect(r.readerGrant(300)).toBe(310);
  });
});

/** Two workers of a spread run over one VM (as test/sim/mmuInvalidateRetry.test.ts's spreadPair). */
function spreadPair(): { g0: Guest; v0: number; g1: Guest; cores: SimWorkerCore[] } {
  const cfg = uniformGuestScenario({ name: 'writer-queue', hardware: hardware('ampere-altra'), vcpus: 2 });
  const p = prepareRun({ ...cfg, run: { ...cfg.run, deterministic: false, workers: 2 } }, {}, 2);
  expect(p.plan.spread).toBe(true);
  const cores = [0, 1].map(
    (i) => new SimWorkerCore(p.config, p.plan, p.buffers, i, { rows: () => {}, progress: () => {} }),
  );
  const vcpu = (w: number): VCpu => cores[w].actorList.find((a) => a instanceof VCpu) as VCpu;
  return { g0: vcpu(0).g, v0: vcpu(0).vi, g1: vcpu(1).g, cores };
}

/**
 * Worker 0 maps a first touch of gfn 20 (read-lock request at R = 100 us, granted at once), then worker 1's
 * reclaim books, later in real time, the eviction of gfn 7 whose unmap's write request arrived `ahead` ns before
 * R: the calendar places the unmap after worker 0's read hold. Then worker 0's next quantum starts (settle).
 */
function readerFirst(ahead: number, plantOld = false): { g0: Guest; end: number; owed: number; waited: number } {
  const { g0, v0, g1, cores } = spreadPair();
  if (plantOld) (g0.mmuInvalidate as unknown as { queue: WriterQueue }).queue.readerGrant = (t: number) => t;
  g1.fault(7, true, 1000, 0);
  const R = 100_000;
  const end = g0.fault(20, true, R - g0.costs[C_S2_FAULT], v0) - R;
  g1.evictOne(7, R - ahead, false);
  const wait0 = g0.stats[g0.sb + GS_LOCK_WAIT_NS];
  g0.mmuInvalidate.settle();
  const waited = g0.stats[g0.sb + GS_LOCK_WAIT_NS] - wait0;
  const owed = g0.mmuInvalidate.owedNs[v0];
  for (const c of cores) c.close();
  return { g0, end, owed, waited };
}

describe("settle: a read request booked before the other worker's earlier-arriving writer waits behind it", () => {
  afterEach(() => {
    vclock.others = Infinity;
  });

  it('the unmap arrived 400 ns before the read: the read waits for its queue release, retries once, maps', () => {
    const probe = spreadPair();
    const c = probe.g0.costs;
    const unmap = unmapHoldNs(c, probe.g0.cmoNs);
    const map = mapHoldNs(c, probe.g0.cmoNs);
    const refault = c[C_AF_FAULT] + FAULTIN_FAST_NS;
    for (const core of probe.cores) core.close();
    expect([unmap, hostUnmapFlushNs(c, probe.g1.kick !== null), invalidateEndHoldNs(c), map, refault]).toEqual([
      1660, 600, 40, 460, 951,
    ]);
    const r = readerFirst(400);
    expect(r.end).toBe(map); // mapped at once: the unmap was not booked yet
    // The calendar put the unmap at [R + 460, R + 2,120) (after the read hold); range_end's request at R + 2,720.
    // In arrival order the unmap holds from R - 400 to R + 1,260: the read is granted then (waited 1,260 ns),
    // finds the invalidation (mmu_invalidate_retry), re-faults at R + 1,720 + 951 = R + 2,671 (mmu_seq read at
    // R + 2,171, after the calendar's unmap ended at R + 2,120; range_end arrives after it) and maps: one retry.
    expect(r.waited).toBe(unmap - 400);
    expect(r.g0.mmuInvalidate.retries).toBe(1);
    expect(r.owed).toBe(unmap - 400 + map + refault);
  });

  it('the unmap arrived after the read: the read was first in the queue, nothing owed', () => {
    const r = readerFirst(-100);
    expect(r.g0.mmuInvalidate.retries).toBe(0);
    expect(r.owed).toBe(0);
    expect(r.waited).toBe(0);
  });

  it('negative control: with the calendar grant kept (the spread runs before session 18) the read never waits', () => {
    const r = readerFirst(400, true);
    expect(r.g0.mmuInvalidate.retries).toBe(0);
    expect(r.owed).toBe(0);
    expect(r.waited).toBe(0);
  });
});
