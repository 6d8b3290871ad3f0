/**
 * folio_update_gen clears the folio's LRU_REFS bits, PG_referenced and PG_workingset (mm/vmscan.c
 * 6.1-6.12: new_flags = old_flags & ~(LRU_GEN_MASK | LRU_REFS_MASK | LRU_REFS_FLAGS), whatever generation
 * the folio was in), so a recently refaulted folio that a walk (walk_pte_range) or kswapd's look-around
 * finds young loses the refault protection lru_gen_refault gave it (sort_folio's protected branch):
 * Mglru.promote. Hand-computed case below; negative control in the last test (the former promote, which
 * kept the flags, planted by restoring them), and run once by deleting `this.folioFlags[id] = 0` from
 * promote: the first test then fails with the control's order.
 */
import { describe, expect, it } from 'vitest';
import { AgingGate } from '../../engine/core/mm/policy/agingGate.ts';
import { FOLIO_REFS_MASK, FOLIO_WORKINGSET, Mglru } from '../../engine/core/mm/policy/mglru.ts';
import type { Reclaimer } from '../../engine/core/mm/policy/policy.ts';
import { DList } from '../../engine/core/sim/dlist.ts';
import { GS_WORDS } from '../../engine/core/sim/simLayout.ts';

const N = 16;
/** Every folio is old at eviction and the walk finds nothing: eviction order is list order alone. */
const never: Reclaimer = { t: 0, referenced: () => false, walk: () => {}, canWalk: () => true, spent: () => false };

/**
 * As mglruRefault.test.ts's first case: faults 0..7 (generation 1); the first eviction ages twice and
 * evicts 0 (shadow min_seq 1); 0 refaults at once (recent: every LRU_REFS bit and PG_workingset) into
 * generation 3 = max_seq, then 8 faults in after it. Here a walk then finds 0 young: promote(0) (it is in
 * max_seq already, so only its flags change). Evictions 1..7 drain generation 1; the next pick ages past
 * the empty generation 2 (min_seq 3, max_seq 5) and meets 0 at generation 3's tail: no longer protected,
 * old, evicted before 8. Returns the flags after the promotion and the eviction order.
 */
function promotedRefault(keepFlags: boolean): { flagsAfter: number; order: number[] } {
  const list = new DList(new Int32Array(2 * (N + 4)), 0, N + 4);
  const flags = new Uint8Array(N);
  const m = new Mglru(
    list,
    new Int16Array(N),
    0,
    N,
    N,
    new Float64Array(GS_WORDS),
    0,
    new AgingGate(0),
    undefined,
    true,
    flags,
  );
  for (let id = 0; id < 8; id++) m.onMap(id);
  expect(m.pickVictim(never, true)).toBe(0);
  m.onMap(0);
  expect(flags[0]).toBe(FOLIO_REFS_MASK | FOLIO_WORKINGSET);
  m.onMap(8);
  const before = flags[0];
  m.promote(0);
  if (keepFlags) flags[0] = before; // the former promote
  const flagsAfter = flags[0];
  const order: number[] = [];
  for (let i = 0; i < 9; i++) order.push(m.pickVictim(never, true));
  return { flagsAfter, order };
}

describe('MGLRU folio_update_gen clears LRU_REFS / PG_referenced / PG_workingset', () => {
  it('a refaulted folio a walk finds young loses its protection: evicted before a later fault', () => {
    const r = promotedRefault(false);
    expect(r.flagsAfter).toBe(0);
    expect(r.order).toEqual([1, 2, 3, 4, 5, 6, 7, 0, 8]);
  });

  it('negative control: keeping the flags (the former promote) protects it once more: evicted after 8', () => {
    const r = promotedRefault(true);
    expect(r.flagsAfter).toBe(FOLIO_REFS_MASK | FOLIO_WORKINGSET);
    expect(r.order).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 0]);
  });
});
