/**
 * MGLRU's scan_folios counts for kswapd's balance_pgdat iterations (Policy.lruGenScan; mm/balancePgdat.ts,
 * mm/vmscan.c 6.3-6.4): `scanned` counts every folio met at the oldest tail, sorted (sort_folio's
 * "promoted") or isolated, and `isolated` the ones isolate_folio took for shrink_folio_list; inactiveGens
 * is NR_INACTIVE_ANON as lru_gen_update_size keeps it (generations older than max_seq - 1).
 *
 * Eight pages faulted in (ids 0..7, id 0 at the tail), two generations added: all eight are in generation 1
 * of 0..3, inactive. Ids 0 and 1 are promoted lazily to max_seq (inactive 6). pickVictim meets 0 and 1
 * (sorted: scanned 2), isolates 2 (young: put back in max_seq) and 3 (old: the victim): scanned 4, isolated 2.
 * Negative control (run by hand, session 17 (e)): the sorted branch's count removed gives "expected [ 2, 2 ] to deeply equal [ 4, 2 ]".
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { MAX_NR_GENS, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

describe('MGLRU scan counts (lruGenScan)', () => {
  it('counts sorted and isolated folios, and the inactive generations', () => {
    const n = 8;
    const list = new DList(new Int32Array(2 * (n + MAX_NR_GENS)), 0, n + MAX_NR_GENS);
    const m = new Mglru(list, new Int16Array(n), 0, n, n, new Float64Array(GS_WORDS), 0, new AgingGate(0));
    for (let id = 0; id < n; id++) m.onMap(id);
    const inside = m as unknown as { incMaxSeqNoWalk(): void };
    inside.incMaxSeqNoWalk();
    inside.incMaxSeqNoWalk();
    const scan = m.lruGenScan();
    expect(scan.inactiveGens()).toBe(8);
    m.promote(0);
    m.promote(1);
    expect(scan.inactiveGens()).toBe(6);
    const r: Reclaimer = {
      t: 0,
      referenced: (id: number) => id === 2,
      walk: () => {},
      canWalk: () => false,
      spent: () => false,
    };
    expect(m.pickVictim(r, false)).toBe(3);
    expect([scan.foliosScanned, scan.foliosIsolated]).toEqual([4, 2]);
  });
});
