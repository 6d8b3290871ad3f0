/**
 * A reclaimer books its eviction's second write hold, mmu_notifier_invalidate_range_end ->
 * kvm_mmu_notifier_invalidate_range_end (virt/kvm/kvm_main.c, 6.1-6.6: KVM_MMU_LOCK for write around
 * kvm_mmu_invalidate_end), in virtual-time order with the other actors' requests, as qrwlock's wait_lock
 * queue serves them (kernel/locking/qrwlock.c, FIFO by arrival). When the unmap before it waited for
 * the lock and its request lies past the reclaimer's scheduling limit with an earlier actor
 * (vclock.others), it is not booked in the unmap's step (kvm/unmapGfnRange.ts evictOne's endLimit):
 * kswapd's step ends at the request and its next step books it (mm/kswapd.ts, shrinkNode.ts
 * finishDeferredEnd); a direct reclaimer's fault suspends in PHASE_RANGE_END (mm/directReclaim.ts).
 *
 * The constructed scenario (lockless harvest with clear_young, rmapFlushYoung false: folio_referenced takes
 * no lock, so the unmap is the first write request; Altra costs; times relative to T): a write hold [0, 10,000) (another writer), the reclaimer at 1 with its step limit 2,000, a vCPU's
 * read request at 5,000 holding 1,000 ns. The unmap arrives at 1 + the check's time (< 5,000), waits to
 * 10,000 and holds U = unmapHoldNs (lockAcquire + cmpxchg + 2 TLBIs + CMO; the DVM is idle): it ends at
 * E = 10,000 + U. flush_tlb_page of the VMM's PTE (one tlbInvalidate, 600 ns, outside the lock) puts
 * range_end's request at E + 600. Hand-computed qrwlock order (arrivals: unmap < 5,000 < E + 600): the
 * read (arrived while the unmap waited: granted at its release) [E, E + 1,000); range_end (arrived at
 * E + 600, while the read holds) granted at E + 1,000. And the read's mmu_invalidate_retry sees the
 * invalidation in progress (in_progress from the unmap to range_end).
 *
 * Negative control (the last case, and by hand): the old booking (endLimit Infinity: range_end booked in
 * the unmap's step) books range_end at [E + 600, E + 600 + lockAcquire) before the read is booked, and the
 * read that arrived E - 4,400 ns earlier is granted after it: `grantsInArrivalOrder` fails. By hand
 * (session 14 (e)): `limit` dropped from evictDeferred's / shrinkNode's evictOne call (endLimit Infinity)
 * fails the first three cases (range_end in writes[1] at once, the read after it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { smallReclaimScenario, workerOf, withoutFaultMarks, faultInOrder, recordWrites } from './fixtures.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';
import { finishDeferredEnd } from '../../engine/core/mm/shrinkNode.ts';
import { PG_RESIDENT, PG_SWAPCACHE, PG_SWAPPED } from '../../engine/core/sim/simLayout.ts';
import { FAULT_SUSPENDED, PHASE_RANGE_END, SUS_PHASE } from '../../engine/core/sim/faultSuspend.ts';
import { C_LOCK_ACQUIRE, C_TLB_INVALIDATE } from '../../engine/core/sim/costs.ts';
import { unmapHoldNs } from '../../engine/core/kvm/unmapGfnRange.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import type { Kswapd } from '../../engine/core/mm/kswapd.ts';

const READ_AT = 5_000;
const READ_HOLD = 1_000;
const BLOCK_HOLD = 10_000;
const LIMIT = 2_000;

/** A guest under reclaim (2,000 faults on a 6 MiB host), lockless harvest, and T past every hold booked. */
function setup(): { g: Guest; k: Kswapd; T: number; writes: [number, number][] } {
  const config = smallReclaimScenario();
  config.reclaim.harvest = 'lockless';
  config.reclaim.rmapFlushYoung = false;
  const { g, kswapd } = workerOf(config);
  withoutFaultMarks(g);
  const t = faultInOrder(g, 2000);
  if (kswapd === null) throw new Error('no kswapd');
  const T = t + 1_000_000;
  const writes = recordWrites(g, T); // the unmap's and range_end's requests and grants
  expect(g.vlock.write(T, BLOCK_HOLD, false)).toBe(T);
  writes.length = 0;
  vclock.others = T + READ_AT; // the vCPU: earlier than range_end's request, later than the step's limit
  return { g, k: kswapd, T, writes };
}

/** The unmap's end E (granted at the blocker's release, the DVM idle) and range_end's request E + 600. */
function unmapTimes(g: Guest): { E: number; at: number } {
  const E = BLOCK_HOLD + unmapHoldNs(g.costs, g.cmoNs, g.unmapHvcNs);
  expect(g.costs[C_TLB_INVALIDATE]).toBe(600);
  return { E, at: E + 600 };
}

/** qrwlock's order: the unmap at the blocker's release, the read at its release, range_end behind the read. */
function grantsInArrivalOrder(g: Guest, writes: [number, number][], read: number): void {
  const { E, at } = unmapTimes(g);
  expect(writes[0][0]).toBeLessThan(READ_AT);
  expect(writes[0][1]).toBe(BLOCK_HOLD);
  expect(read).toBe(E);
  expect(writes[1]).toEqual([at, E + READ_HOLD]);
}

describe("a reclaimer's range_end after a waited unmap is booked in its next step (qrwlock FIFO)", () => {
  afterEach(() => {
    vclock.others = Infinity;
  });

  it('shrinkNode stops before range_end past the limit; the earlier read is granted first and retries', () => {
    const { g, T, writes } = setup();
    const pg = g.pgdat;
    pg.shrinkNode(T + 1, 1, false, undefined, undefined, undefined, T + LIMIT);
    const id = pg.deferredEnd;
    expect(id).toBeGreaterThanOrEqual(0);
    expect(pg.deferredVictim).toBe(-1);
    expect(g.flags[id - pg.base[0]] & PG_RESIDENT).toBe(0); // unmapped
    expect(writes.length).toBe(1); // the unmap only
    expect(pg.rangeEndAt - T).toBe(unmapTimes(g).at);
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    // The read's fault read mmu_seq before the unmap and checks at its grant: in progress, it retries.
    expect(g.mmuInvalidate.retry(T + READ_AT - 100, T + read)).toBe(true);
    const end = finishDeferredEnd(pg, id, pg.deferredFreed, pg.rangeEndAt, pg.rangeEndStart, false);
    expect(pg.lastEvicted).toBe(1);
    grantsInArrivalOrder(g, writes, read);
    expect(end - T).toBe(unmapTimes(g).E + READ_HOLD + g.costs[C_LOCK_ACQUIRE] + g.swapOutNs);
  });

  it("kswapd's step ends at range_end's request; its next step books it after the read", () => {
    const { g, k, T, writes } = setup();
    k.wake(T - 10_000);
    k.clock = T + 1;
    k.run(T + LIMIT);
    expect(writes.length).toBe(1);
    expect(k.clock - T).toBe(unmapTimes(g).at);
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    vclock.others = Infinity;
    k.run(k.clock + 1);
    grantsInArrivalOrder(g, writes, read);
  });

  it("direct reclaim: the vCPU's fault suspends before range_end (PHASE_RANGE_END); the earlier read goes first", () => {
    const { g, T, writes } = setup();
    let x = 0;
    while ((g.flags[x] & (PG_RESIDENT | PG_SWAPPED | PG_SWAPCACHE)) !== 0) x++;
    while (g.host.tryTake(g.reserve));
    expect(g.fault(x, false, T + 1, 0, T + LIMIT)).toBe(FAULT_SUSPENDED);
    expect(g.suspended[SUS_PHASE]).toBe(PHASE_RANGE_END);
    expect(writes.length).toBe(1);
    expect(g.resumeAt - T).toBe(unmapTimes(g).at);
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    vclock.others = Infinity;
    expect(g.fault(x, false, g.resumeAt, 0, Infinity)).toBeGreaterThan(g.resumeAt);
    expect(g.flags[x] & PG_RESIDENT).not.toBe(0);
    grantsInArrivalOrder(g, writes, read);
  });

  it('a request not past the limit, or with no earlier actor, is booked at once', () => {
    const { g, T, writes } = setup();
    vclock.others = Infinity;
    g.pgdat.shrinkNode(T + 1, 1, false, undefined, undefined, undefined, T + LIMIT);
    expect(g.pgdat.deferredEnd).toBe(-1);
    expect(writes.length).toBe(2);
  });

  it('negative control: the old one-step booking grants the later range_end before the earlier read', () => {
    const { g, T, writes } = setup();
    g.pgdat.shrinkNode(T + 1, 1, false); // endLimit Infinity: range_end booked in the unmap's step
    expect(writes.length).toBe(2);
    const { at } = unmapTimes(g);
    expect(writes[1]).toEqual([at, at]);
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    expect(read).toBe(at + g.costs[C_LOCK_ACQUIRE]); // waits for the range_end that arrived after it
    expect(() => grantsInArrivalOrder(g, writes, read)).toThrow();
  });
});
