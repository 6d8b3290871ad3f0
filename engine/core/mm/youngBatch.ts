/**
 * The young bits of one batch of PTEs, as both of MGLRU's harvesters use them (mm/vmscan.c, 6.1-6.6):
 * the rmap side's look-around (lru_gen_look_around, mm/folioReferenced.ts) and the page-table walk
 * (walk_pte_range, mm/walkMm.ts). A batch is at most MIN_LRU_BATCH pages of one PTE table, its young
 * pages a 64-bit bitmap in the harvester's `young` (two 32-bit words): ptep_test_and_clear_young on the
 * host PTEs (hostClear), then the young folios promoted in address order (promoteYoung: for_each_set_bit
 * -> folio_update_gen or folio_activate).
 */
import type { Guest } from '../sim/guest.ts';
import { C_CMPXCHG } from '../sim/costs.ts';
import { GS_AGING_NS, PG_LRU } from '../sim/simLayout.ts';
import { hostTestClearYoung } from './hostPte.ts';
import type { Promoter } from './policy/policy.ts';
import { MIN_LRU_BATCH, PMD_PAGES } from './reclaimConsts.ts';

export { MIN_LRU_BATCH, PMD_PAGES } from './reclaimConsts.ts';

/**
 * lru_gen_look_around's window (mm/vmscan.c 6.1-6.6): MIN_LRU_BATCH pages around gfn, clipped to gfn's
 * PMD and to the VMA's `pages`. lookAroundEnd gives its end; lookAroundStart(gfn, end) its start, so a
 * window cut short at one side reaches further to the other.
 */
export function lookAroundEnd(gfn: number, pages: number): number {
  const pmd = gfn - (gfn % PMD_PAGES);
  return Math.min(pmd + PMD_PAGES, pages, Math.max(pmd, gfn - MIN_LRU_BATCH / 2) + MIN_LRU_BATCH);
}

export function lookAroundStart(gfn: number, end: number): number {
  return Math.max(gfn - (gfn % PMD_PAGES), end - MIN_LRU_BATCH);
}

/**
 * ptep_test_and_clear_young on the young host PTEs of a window the walk or look-around visited,
 * OR-ed into the harvester's `young` (mm/hostPte.ts); each clear is an atomic (cmpxchg) on h.t.
 * Whether or not the page is on the LRU yet (6.1-6.6 get_pfn_folio has no LRU test).
 */
export function hostClear(g: Guest, start: number, n: number): void {
  const h = g.harvester;
  const cleared = hostTestClearYoung(g.flags, start, n, h.young);
  if (cleared === 0) return;
  const ns = cleared * g.costs[C_CMPXCHG];
  h.t += ns;
  g.stats[g.sb + GS_AGING_NS] += ns;
}

/**
 * Promote the young pages of a batch except `skip`; returns whether `skip` itself was young. In
 * address order, as lru_gen_look_around and walk_pte_range visit them (for_each_set_bit): `lazy`
 * (an mm_walk: kswapd's look-around, any walk) changes their generation only (folio_update_gen),
 * else each is activated in turn (folio_activate: the head of the youngest generation, so the last
 * address ends nearest the head and eviction later meets them in ascending order). lruFlag: a spread
 * run's node (Pgdat.lruFlag), where a young page may still be in a vCPU worker's lru_add batch (no
 * PG_LRU): its young bits were cleared all the same (hostClear, the harvester's stage-2 test), and 6.1-6.6
 * folio_update_gen, finding it in no generation (!(old_flags & LRU_GEN_MASK)), sets PG_referenced "for
 * shrink_folio_list()" instead of promoting it (lru_gen_look_around without a walk: old_gen < 0 ->
 * folio_set_referenced). The lab keeps no PG_referenced, and for such a folio the bit reaches no reader the
 * lab models: lru_add -> lru_gen_add_folio places an anon folio by PG_active/swapcache only, and
 * isolate_folio clears PG_referenced before shrink_folio_list could read it (its "folio_update_gen() tried
 * to promote this page?" keep applies to a folio isolated when the bit was set; a batched folio is not);
 * folio_inc_gen and folio_update_gen clear it on the list. Its one effect, isolate_folio keeping
 * LRU_REFS_MASK and PG_workingset of a referenced folio for the shadow's tier (lru_gen_eviction), feeds
 * the PID controller, which the lab does not model (mm/policy/mglruRefault.ts). So the page is skipped
 * here: the access is consumed, as in the kernel.
 */
export function promoteYoung(
  y: Uint32Array,
  start: number,
  count: number,
  base: number,
  skip: number,
  p: Promoter,
  flags: Uint8Array,
  lazy: boolean,
  lruFlag: boolean,
): boolean {
  let skipYoung = false;
  for (let w = 0; w < 2; w++) {
    let bits = y[w];
    while (bits !== 0) {
      const low = bits & -bits;
      const b = 31 - Math.clz32(low);
      bits ^= low;
      const gfn = start + w * 32 + b;
      if (gfn === skip) skipYoung = true;
      // Spread runs: a page still in a vCPU worker's lru_add batch is on no list yet (PG_LRU clear):
      // folio_update_gen's PG_referenced branch, no lab effect (see above).
      else if (gfn < start + count && (!lruFlag || (flags[gfn] & PG_LRU) !== 0)) {
        if (lazy) p.promote(base + gfn);
        else p.activate(base + gfn);
      }
    }
  }
  return skipYoung;
}

/** Set bits of a 32-bit word. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
