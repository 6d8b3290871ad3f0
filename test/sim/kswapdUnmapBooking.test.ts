/**
 * kswapd books its eviction's unmap (try_to_unmap -> mmu_notifier_invalidate_range_start ->
 * kvm_unmap_gfn_range: kvm->mmu_lock for write) in virtual-time order with the other actors' requests,
 * as qrwlock's wait_lock queue serves them (kernel/locking/qrwlock.c, queued_read_lock_slowpath /
 * queued_write_lock_slowpath: FIFO by arrival). When the folio check before it (folio_referenced ->
 * clear_flush_young under the write lock, locked-write) waited and ended past kswapd's scheduling
 * limit, the unmap is not booked in the same step (mm/shrinkNode.ts unmapLimit): kswapd's step ends
 * at the check's end and the unmap is booked in its next step (mm/kswapd.ts), after the actors earlier
 * in virtual time booked theirs (the fault path's PHASE_MAP_LOCK pattern, kvm/userMemAbort.ts).
 *
 * The constructed scenario (times relative to T): a write hold [0, 10,000) (another writer), kswapd at
 * 1 with its step limit 2,000, a vCPU's read request at 5,000 (vclock.others: the vCPU is earlier than
 * the check's end). kswapd's check arrives at 1, waits to 10,000, holds 185 ns (this scenario's locked
 * clear_flush_young hold, Altra costs: an input read off the run, not part of the order), ends at 10,185. Hand-computed qrwlock order (arrivals 1 <
 * 5,000 < 10,185): check [10,000, 10,185), the read (arrived while the check waited: granted at its
 * release) [10,185, 10,285), the unmap (arrived at 10,185, after the read) granted at 10,285.
 *
 * Direct reclaim (mm/directReclaim.ts PHASE_UNMAP): the same with the check in a vCPU's fault at 1: its
 * trap (s2TrapNs, 4,000 ns here) first, the check arrives at 4,001 (still before the read), waits to 10,000
 * and ends at 10,185; the fault suspends there and its next step books the unmap after the read.
 *
 * Negative control (in the file, and run by hand): the old booking (unmapLimit Infinity, the unmap
 * booked in the check's step) books the unmap at 10,185 before the read is booked, and the read that
 * arrived 5,185 ns earlier is granted after the unmap's hold: `grantsInArrivalOrder` fails on it (the
 * last case asserts that). By hand (session 13 (m)): `limit` dropped from kswapd.ts's shrinkNode call
 * fails the kswapd case (its step books the unmap at 10,185 and range_end: writes [[10185, 10185], ...]);
 * `limit` dropped from directReclaim.ts's directReclaimStep call fails the direct-reclaim case (no
 * suspension: the cluster runs on in one step).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { smallReclaimScenario, workerOf, withoutFaultMarks, faultInOrder, recordWrites } from './fixtures.ts';
import { vclock } from '../../engine/core/sync/vlock.ts';
import { evictDeferred } from '../../engine/core/mm/shrinkNode.ts';
import { PG_RESIDENT, PG_SWAPCACHE, PG_SWAPPED } from '../../engine/core/sim/simLayout.ts';
import { FAULT_SUSPENDED, PHASE_UNMAP, SUS_PHASE } from '../../engine/core/sim/faultSuspend.ts';
import type { Guest } from '../../engine/core/sim/guest.ts';
import type { Kswapd } from '../../engine/core/mm/kswapd.ts';

const READ_AT = 5_000;
const READ_HOLD = 100;
const BLOCK_HOLD = 10_000;
const LIMIT = 2_000;

/** A guest under reclaim (2,000 faults on a 6 MiB host) and T, past every hold booked so far. */
function setup(): { g: Guest; k: Kswapd; T: number; writes: [number, number][] } {
  const { g, kswapd } = workerOf(smallReclaimScenario());
  withoutFaultMarks(g);
  const t = faultInOrder(g, 2000);
  if (kswapd === null) throw new Error('no kswapd');
  const T = t + 1_000_000;
  const writes = recordWrites(g, T); // the unmap's and range_end's requests and grants
  expect(g.vlock.write(T, BLOCK_HOLD, false)).toBe(T); // the other writer: nothing booked there yet
  writes.length = 0;
  vclock.others = T + READ_AT; // the vCPU: earlier than the check's end, later than the step's limit
  return { g, k: kswapd, T, writes };
}

/** A gfn never faulted, and the host's free frames taken down to the min watermark: its fault reclaims. */
function toDirectReclaim(g: Guest): { x: number } {
  let x = 0;
  while ((g.flags[x] & (PG_RESIDENT | PG_SWAPPED | PG_SWAPCACHE)) !== 0) x++;
  while (g.host.tryTake(g.reserve));
  expect(g.s2TrapNs).toBe(4_000);
  return { x };
}

/** qrwlock's order for the scenario: the read first, at the check's release; the unmap behind it. */
function grantsInArrivalOrder(checkEnd: number, read: number, unmap: [number, number]): void {
  expect(checkEnd).toBe(BLOCK_HOLD + 185);
  expect(read).toBe(checkEnd);
  expect(unmap[0]).toBe(checkEnd);
  expect(unmap[1]).toBe(read + READ_HOLD);
}

describe("kswapd's unmap after a check that waited is booked in its next step (qrwlock FIFO)", () => {
  afterEach(() => {
    vclock.others = Infinity;
  });

  it('shrinkNode defers the unmap whose request lies past the limit; the earlier read is granted first', () => {
    const { g, T, writes } = setup();
    const pg = g.pgdat;
    pg.shrinkNode(T + 1, 1, false, undefined, undefined, undefined, T + LIMIT);
    const id = pg.deferredVictim;
    expect(id).toBeGreaterThanOrEqual(0);
    expect(pg.lastEvicted).toBe(0);
    expect(g.flags[id - pg.base[0]] & PG_RESIDENT).not.toBe(0); // not unmapped yet
    expect(writes).toEqual([]); // no unmap booked
    const checkEnd = pg.t - T;
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    evictDeferred(pg, id, pg.deferredFreed, T + checkEnd);
    expect(pg.lastEvicted).toBe(1);
    expect(g.flags[id - pg.base[0]] & PG_RESIDENT).toBe(0);
    grantsInArrivalOrder(checkEnd, read, writes[0]);
  });

  it("kswapd's step ends at the check's end; its next step books the unmap after the read", () => {
    const { g, k, T, writes } = setup();
    k.wake(T - 10_000);
    k.clock = T + 1;
    k.run(T + LIMIT);
    expect(writes).toEqual([]);
    const checkEnd = k.clock - T; // the unmap's request time
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    vclock.others = Infinity;
    k.run(k.clock + 1);
    grantsInArrivalOrder(checkEnd, read, writes[0]);
  });

  it('a request not past the limit, or with no earlier actor, is booked at once', () => {
    const { g, T, writes } = setup();
    vclock.others = Infinity;
    g.pgdat.shrinkNode(T + 1, 1, false, undefined, undefined, undefined, T + LIMIT);
    expect(g.pgdat.deferredVictim).toBe(-1);
    expect(writes.length).toBeGreaterThan(0);
  });

  it("direct reclaim: the vCPU's fault suspends before the unmap (PHASE_UNMAP); the earlier read goes first", () => {
    const { g, T, writes } = setup();
    const { x } = toDirectReclaim(g);
    expect(g.fault(x, false, T + 1, 0, T + LIMIT)).toBe(FAULT_SUSPENDED);
    expect(g.suspended[SUS_PHASE]).toBe(PHASE_UNMAP);
    expect(writes).toEqual([]);
    const checkEnd = g.resumeAt - T;
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    vclock.others = Infinity;
    expect(g.fault(x, false, g.resumeAt, 0, Infinity)).toBeGreaterThan(g.resumeAt);
    expect(g.flags[x] & PG_RESIDENT).not.toBe(0);
    grantsInArrivalOrder(checkEnd, read, writes[0]);
  });

  it('negative control, direct reclaim: the cluster in one step grants the unmap before the earlier read', () => {
    const { g, T, writes } = setup();
    const { x } = toDirectReclaim(g);
    g.fault(x, false, T + 1, 0, Infinity);
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    expect(writes[0]).toEqual([BLOCK_HOLD + 185, BLOCK_HOLD + 185]);
    expect(read).toBeGreaterThan(writes[0][1]);
  });

  it('negative control: the old one-step booking grants the later unmap before the earlier read', () => {
    const { g, T, writes } = setup();
    const pg = g.pgdat;
    pg.shrinkNode(T + 1, 1, false); // unmapLimit Infinity: the unmap booked in the check's step
    expect(pg.lastEvicted).toBe(1);
    const checkEnd = writes[0][0];
    const read = g.vlock.read(T + READ_AT, READ_HOLD, false) - T;
    expect(read).toBeGreaterThan(writes[0][1]); // the read waits for the unmap that arrived 5,185 ns after it
    expect(() => grantsInArrivalOrder(checkEnd, read, writes[0])).toThrow();
  });
});
