/**
 * Direct reclaim's evict_folios batch on MGLRU (mm/vmscan.c 6.1-6.6, read in 6.3; mm/directReclaim.ts runs the
 * cluster): which nodes reclaim through lru_gen_shrink_node, the batch's victims still under writeback (held
 * isolated until the batch's end: Pgdat.heldWriteback), and the batch's retry.
 */
import type { Guest } from '../sim/guest.ts';
import type { Pgdat } from './pgdat.ts';
import { freeWritten } from './shrinkNode.ts';

/** Per guest, per vCPU: the evicted folios of its evict_folios batch still under writeback (retryWritten). */
const batchVictims = new WeakMap<Guest, number[][]>();

export function victimsOf(g: Guest, vi: number): number[] {
  let b = batchVictims.get(g);
  if (b === undefined) {
    b = [];
    batchVictims.set(g, b);
  }
  return (b[vi] ??= []);
}

/** Direct reclaim on this node is lru_gen_shrink_node's: every lruvec is MGLRU's (Policy.lruGenScan). */
export function lruGenNode(pg: Pgdat): boolean {
  const ps = pg.lruvecPolicies;
  return ps.length > 0 && ps.every((p) => p.lruGenScan !== undefined);
}

/**
 * evict_folios' retry (mm/vmscan.c 6.1-6.6, read in 6.3): after shrink_folio_list, a folio of the batch
 * whose swap write completed meanwhile (folio_end_writeback cleared PG_reclaim, and its
 * folio_rotate_reclaimable missed it: it was isolated) is moved to the `clean` list and shrink_folio_list
 * runs again on it: freed, counted in sc->nr_reclaimed. `victims`: the batch's evicted folios (node page
 * ids) still under writeback when evicted, held isolated meanwhile (Pgdat.heldWriteback); those written by t
 * are freed here and leave SwapArea.writeback, the others go back (a later pass's endWriteback meets them, as
 * the kernel's folio_rotate_reclaimable at the LRU tail). Returns the frees; empties `victims`.
 */
export function retryWritten(pg: Pgdat, victims: number[], t: number): number {
  const wb = pg.swap?.writeback;
  let n = 0;
  if (wb !== undefined)
    for (const id of victims) {
      pg.heldWriteback.delete(id); // move_folios_to_lru: back on the LRU, or freed below
      const done = wb.get(id);
      if (done === undefined || done > t) continue;
      wb.delete(id);
      freeWritten(pg, id);
      n++;
    }
  victims.length = 0;
  return n;
}
