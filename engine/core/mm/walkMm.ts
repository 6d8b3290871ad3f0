/**
 * MGLRU's page-table walk over the node's VMs (mm/vmscan.c, 6.1-6.6): walk_mm -> walk_pmd_range ->
 * walk_pte_range over each VM's range, in MIN_LRU_BATCH windows, each PTE table read or skipped as the
 * Bloom filters say (test_bloom_filter / update_bloom_filter, mm/policy/bloomFilter.ts); should_walk_mmu
 * decides whether the walk reads the secondary MMU at all (canWalk). The per-walk state a MAX_LRU_BATCH
 * step boundary leaves behind (a PTE table walked in two steps) is this class's, as the kernel keeps its
 * walk's position in struct lru_gen_mm_walk. Pgdat.walk / canWalk (the Reclaimer's entries) come here.
 */
import type { Pgdat } from './pgdat.ts';
import type { Promoter } from './policy/policy.ts';
import { PG_RESIDENT } from '../sim/simLayout.ts';
import { hostClear, popcount, promoteYoung } from './youngBatch.ts';
import { MIN_LRU_BATCH, PMD_PAGES } from './reclaimConsts.ts';

export function canWalk(pg: Pgdat, start: number, end: number): boolean {
  // should_walk_mmu(): arch_has_hw_pte_young() is a property of the host CPU, the same for every VM.
  for (let k = pg.guestOf(start); k < pg.guests.length && pg.base[k] < end; k++)
    if (pg.guests[k].harvester.walkMmu) return true;
  return false;
}

export class MmWalk {
  /** The walk's PTE table whose walk a MAX_LRU_BATCH step boundary split (walk): its key, test, young PTEs. */
  private splitKey = -1;
  private splitVisit = false;
  private splitYoung = 0;

  /** Walk ids [start, end) of pg's node from pg.t (which it advances), promoting the young through `promoter`. */
  walk(pg: Pgdat, start: number, end: number, promoter: Promoter): void {
    for (let k = pg.guestOf(start); k < pg.guests.length && pg.base[k] < end; k++) {
      const g = pg.guests[k];
      const h = g.harvester;
      if (!h.walkMmu || g.pinned) continue;
      const b = pg.base[k];
      const lo = Math.max(start, b) - b;
      const hi = Math.min(end, b + g.pages) - b;
      h.t = pg.t;
      h.kswapd = pg.kswapd;
      // walk_pmd_range, one PTE table (PMD_PAGES gfns) at a time: test_bloom_filter decides whether
      // walk_pte_range reads it, and a table it read with enough young PTEs is carried over to the next
      // walk's filter (mm/policy/bloomFilter.ts). A MAX_LRU_BATCH step may end inside a table (a guest
      // not PMD-aligned in the id space): the next step finishes it with the same decision (split*).
      for (let p = lo; p < hi;) {
        const pmd = p - (p % PMD_PAGES);
        const pmdEnd = Math.min(pmd + PMD_PAGES, g.pages);
        const stop = Math.min(pmdEnd, hi);
        const key = pg.pmdBase[k] + pmd / PMD_PAGES;
        let visit: boolean;
        let young = 0;
        if (p !== pmd && this.splitKey === key) {
          visit = this.splitVisit;
          young = this.splitYoung;
        } else visit = promoter.walkPmd?.(key) ?? true;
        if (visit) {
          for (let w = p; w < stop; w += MIN_LRU_BATCH) {
            const n = Math.min(MIN_LRU_BATCH, stop - w);
            if (!anyResident(g.flags, w, n)) continue; // walk_pte_range skips empty PMDs/PTEs cheaply
            h.walkBatch(w, n);
            // walk_pte_range tests the host PTEs in every harvest mode (pte_young; the seed also the stage-2).
            hostClear(g, w, n);
            young += popcount(h.young[0]) + popcount(h.young[1]);
            promoteYoung(h.young, w, n, b, -1, promoter, g.flags, true, pg.lruFlag);
          }
          if (stop === pmdEnd) promoter.walkedPmd?.(key, pmdEnd - pmd, young);
        }
        this.splitKey = stop === pmdEnd ? -1 : key;
        this.splitVisit = visit;
        this.splitYoung = young;
        p = stop;
      }
      pg.t = h.t;
    }
  }
}

function anyResident(flags: Uint8Array, start: number, n: number): boolean {
  for (let i = start; i < start + n; i++) if ((flags[i] & PG_RESIDENT) !== 0) return true;
  return false;
}
