/**
 * A read stage-2 fault maps the page writable when the VMM's host PTE is writable (kvm/faultinWritable.ts:
 * hva_to_pfn_fast's FOLL_WRITE fast pin, hva_to_pfn_slow's "map read fault as writable if possible";
 * user_mem_abort's KVM_PGTABLE_PROT_W). The lab's guests are a MAP_SHARED shmem memfd, whose read fault
 * installs a writable host PTE (no write-notify): a read fault, then a write to the same gfn, takes no
 * permission fault. Under private anonymous memory (constructed: Guest.backing) the read fault's host PTE
 * is read-only (do_swap_page / the zero page): the write takes exactly one permission fault, and after it
 * the leaf is writable. Hand-computed: 0 and 1.
 *
 * Negative control (run by hand, session 13): userMemAbort's and replayFault's `writable` set back to
 * `write` (the old `attrLoByWrite[write ? 1 : 0]`): the four shmem cases fail (TX_PERM set; a run's
 * permFaults > 0 on the general and the replay path), the two private-anon cases still pass; replayFault's
 * alone planted fails only the replay-path run.
 */
import { describe, expect, it } from 'vitest';
import type { Guest } from '../../engine/core/sim/guest.ts';
import { TX_PERM, TX_WRITABLE } from '../../engine/core/sim/vcpu.ts';
import { translate } from '../../engine/core/sim/translate.ts';
import { GS_PERM_FAULTS } from '../../engine/core/sim/simLayout.ts';
import { readFaultWritable } from '../../engine/core/kvm/faultinWritable.ts';
import type { ScenarioConfig } from '../../engine/protocol.ts';
import { cloudPhysicsTrace, hardware, oracleScenario, runOnThread, workerOf, zipfVmScenario } from './fixtures.ts';

const HAFDBS = true;

function guest(): Guest {
  return workerOf(zipfVmScenario({ harvest: 'lockless' })).g;
}

const perm = (g: Guest): number => g.stats[g.sb + GS_PERM_FAULTS];

describe("read faults mapped writable (hva_to_pfn's 'map read fault as writable if possible')", () => {
  it('shmem memfd (every lab guest): a first-touch read fault, then a write: no permission fault', () => {
    const g = guest();
    expect(g.backing).toBe('shmem-memfd');
    const t = g.fault(7, false, 0);
    expect(t).toBeGreaterThan(0);
    const x = translate(g.pgt, 7, true, HAFDBS);
    expect(x & TX_PERM).toBe(0);
    expect(x & TX_WRITABLE).toBe(TX_WRITABLE);
    expect(perm(g)).toBe(0);
  });

  it('shmem memfd: a read fault after a swap-out (shmem_swapin_folio, then finish_fault) maps writable too', () => {
    const g = guest();
    let t = g.fault(7, true, 0);
    t = g.evictOne(7, t, false);
    expect(translate(g.pgt, 7, false, HAFDBS) & TX_WRITABLE).toBe(0); // unmapped: a miss
    t = g.fault(7, false, t + 1000);
    expect(t).toBeGreaterThan(0);
    expect(translate(g.pgt, 7, true, HAFDBS) & (TX_PERM | TX_WRITABLE)).toBe(TX_WRITABLE);
  });

  it('private anonymous (constructed): the read leaves the leaf read-only; the write takes one permission fault, then none', () => {
    const g = guest();
    g.backing = 'private-anon';
    let t = g.fault(7, false, 0);
    const x = translate(g.pgt, 7, true, HAFDBS);
    expect(x & (TX_PERM | TX_WRITABLE)).toBe(TX_PERM);
    t = g.permFault(7, t);
    expect(perm(g)).toBe(1);
    expect(translate(g.pgt, 7, true, HAFDBS) & (TX_PERM | TX_WRITABLE)).toBe(TX_WRITABLE);
    // A write fault maps writable in either backing.
    g.fault(9, true, t);
    expect(translate(g.pgt, 9, true, HAFDBS) & (TX_PERM | TX_WRITABLE)).toBe(TX_WRITABLE);
  });

  it("the VMM's own write (the pre-fault, PG_HOST) leaves a writable host PTE in either backing", () => {
    expect(readFaultWritable('shmem-memfd', false)).toBe(true);
    expect(readFaultWritable('private-anon', false)).toBe(false);
    expect(readFaultWritable('private-anon', true)).toBe(true);
  });

  /** One deterministic run of `config`, on the trace replay fast path or the general path. */
  /** The cloudPhysicsIO trace with 30 % writes, CLOCK on 1,000 pages, pre-v8.2 (no hardware AF), `backing` if given. */
  function readWriteTrace(backing?: 'private-anon'): ScenarioConfig {
    const c = oracleScenario({
      policy: 'clock',
      capacity: 1000,
      harvest: 'locked-write',
      hw: hardware('phone-prev82'),
    });
    c.guests[0].workload = { kind: 'trace', trace: 'cloudPhysicsIO', writeFraction: 0.3, thinkNs: 0 };
    if (backing !== undefined) c.guests[0].memoryBacking = backing;
    return c;
  }

  function runPerm(config: ScenarioConfig, replay: boolean): { permFaults: number; fast: boolean; accesses: number } {
    const { result: r, fast } = runOnThread(
      config,
      { cloudPhysicsIO: cloudPhysicsTrace().subarray(0, 20_000) },
      replay,
    );
    return { permFaults: r.summary.permFaults ?? -1, fast, accesses: r.summary.accesses };
  }

  /**
   * The setting (session 14 (l)): guests[].memoryBacking reaches the guest through buildGuest. A page
   * written (writable host PTE), swapped out, then read back in: do_swap_page without FAULT_FLAG_WRITE
   * maps the host PTE read-only (private anon), so stage-2 is read-only and the next write is exactly one
   * permission fault; the memfd's read swap-in maps writable (none). Hand-computed: 1 and 0.
   * Negative control (run by hand): buildGuest's `g.backing = spec.memoryBacking ?? ...` removed: the
   * private-anon case fails (backing 'shmem-memfd', TX_WRITABLE, 0 permission faults) and so does the
   * private-anon whole run below (0 permission faults); the shmem cases still pass.
   */
  it.each(['private-anon', 'shmem-memfd', undefined] as const)(
    'memoryBacking %s: a write, a swap-out, a read swap-in, then a write',
    (backing) => {
      const c = zipfVmScenario({ harvest: 'lockless' });
      if (backing !== undefined) c.guests[0].memoryBacking = backing;
      const g = workerOf(c).g;
      const anon = backing === 'private-anon';
      expect(g.backing).toBe(backing ?? 'shmem-memfd');
      let t = g.fault(7, true, 0);
      t = g.evictOne(7, t, false);
      t = g.fault(7, false, t + 1000);
      expect(t).toBeGreaterThan(0);
      expect(translate(g.pgt, 7, true, HAFDBS) & (TX_PERM | TX_WRITABLE)).toBe(anon ? TX_PERM : TX_WRITABLE);
      // The vCPU's write: a permission fault only where the leaf is read-only (vcpu.ts's TX_PERM branch).
      if ((translate(g.pgt, 7, true, HAFDBS) & TX_PERM) !== 0) g.permFault(7, t);
      expect(perm(g)).toBe(anon ? 1 : 0);
      expect(translate(g.pgt, 7, true, HAFDBS) & (TX_PERM | TX_WRITABLE)).toBe(TX_WRITABLE);
    },
  );

  it.each([false, true])(
    'a whole run under memoryBacking private-anon (replay fast path: %s): reads then writes take permission faults',
    (replay) => {
      const r = runPerm(readWriteTrace('private-anon'), replay);
      expect(r.fast).toBe(replay);
      expect(r.accesses).toBe(20_000);
      // At most one per write access (30 %); at least one (a read-faulted page written later).
      expect(r.permFaults).toBeGreaterThan(0);
      expect(r.permFaults).toBeLessThanOrEqual(r.accesses * 0.3 * 1.1);
    },
  );

  it.each([false, true])(
    'a whole run with reads and writes to the same pages (replay fast path: %s): no permission fault',
    (replay) => {
      const r = runPerm(readWriteTrace(), replay);
      expect(r.fast).toBe(replay);
      expect(r.accesses).toBe(20_000);
      expect(r.permFaults).toBe(0);
    },
  );
});
