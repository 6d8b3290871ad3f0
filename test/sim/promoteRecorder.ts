/**
 * Test helpers for the aging paths' decisions on one built guest: which gfns a walk or a look-around
 * promoted (folio_update_gen) or activated (folio_activate), and whether a page's host PTE is young.
 */
import type { Guest } from '../../engine/core/sim/guest.ts';
import type { Promoter } from '../../engine/core/mm/policy/policy.ts';
import { PG_HOST_YOUNG } from '../../engine/core/sim/simLayout.ts';

/** Records the gfns promoted (folio_update_gen) and activated (folio_activate). */
export function recorder(g: Guest): Promoter & { promoted: number[]; activated: number[] } {
  const r = {
    promoted: [] as number[],
    activated: [] as number[],
    promote: (id: number) => r.promoted.push(id - g.idBase),
    activate: (id: number) => r.activated.push(id - g.idBase),
  };
  return r;
}

/** The VMM's host PTE accessed bit of `gfn` (PG_HOST_YOUNG). */
export const hostYoung = (g: Guest, gfn: number): boolean => (g.flags[gfn] & PG_HOST_YOUNG) !== 0;
