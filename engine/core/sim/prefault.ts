/**
 * max_guest_memory_test's host pre-fault (workload `prefault`): before the vCPUs start, the test's
 * main thread writes one byte (0xaa) to every page of the memfd that backs guest memory ("Pre-fault
 * the memory to avoid taking mmap_sem on guest page faults"). Those writes fault the pages into the
 * VMM's own page tables (shmem_fault: a folio per page, added to the host LRU as the VMM writes it),
 * and nothing into stage-2: the guest has not run. On an overcommitted host, host reclaim (kswapd,
 * then direct reclaim in the writer) swaps out what does not fit while the writes go on, oldest
 * written first.
 *
 * The lab starts the run in the state that leaves, without simulating the pre-fault itself:
 * - the node at its high watermark: kswapd reclaims until pgdat_balanced() at the high watermark
 *   before it sleeps, and the test then spends its time creating 64 vCPU threads, so it has finished
 *   (estimate: that it had, the free count left by the last allocations is not known);
 * - the last `resident` pages written (the highest gfns: the loop writes in address order) on the host
 *   LRU in write order, PG_HOST: holding a frame, not mapped in stage-2;
 * - the first `pages - resident` pages swapped out (PG_SWAPPED; their eviction is not a run event:
 *   evictedAt = -Infinity, outside every refault window).
 * Not modelled: the accessed bit of the VMM's own PTEs (young after the write). folio_referenced would
 * find it young once and rotate the folio once; the lab's LRU position stands for that first check
 * having been made by the reclaim that ran during the pre-fault (a stated simplification), and so does
 * PG_referenced, which that check set (folio_check_references: FOLIOREF_KEEP; the classic LRU's
 * Policy.setReferenced). The classic LRU must have looked at every page written before the first one it
 * evicted (each with a young VMM PTE, kept once, rotated to the head in write order): all but those written
 * after reclaim began, about the `swapped` count (3.3 % in the v1 preset), taken as all (session 15 (a)).
 * It decides nothing at the first stage-2 fault: hva_to_pfn_fast's GUP-fast sets PG_referenced itself
 * (kvm/faultinMarks.ts), so the release's mark activates either way; and a page reclaim reaches before its
 * fault has an old VMM PTE and no stage-2 leaf here, so it is reclaimed whatever PG_referenced says.
 */
import { PG_HOST, PG_SWAPPED, GS_RESIDENT } from './simLayout.ts';
import type { Guest } from './guest.ts';
import type { HostFrames } from '../mm/hostFrames.ts';

export interface PrefaultResult {
  resident: number;
  swapped: number;
}

/** Pre-fault guest g (before any actor runs); returns how many pages ended resident and swapped. */
export function prefaultGuest(g: Guest, host: HostFrames): PrefaultResult {
  const resident = Math.max(0, Math.min(g.pages, host.free() - host.high));
  const swapped = g.pages - resident;
  for (let gfn = 0; gfn < swapped; gfn++) {
    g.flags[gfn] = PG_SWAPPED;
    g.evictedAt[gfn] = -Infinity;
    // Swapped out by reclaim while the pre-fault wrote on: slots in write order (mm/swapReadahead.ts).
    g.swapArea?.alloc(g.idBase + gfn);
  }
  for (let gfn = swapped; gfn < g.pages; gfn++) {
    g.flags[gfn] = PG_HOST;
    // Protected (pinned) memory never joins the LRU.
    // The pre-fault's reclaim looked at it once and found the VMM's PTE young (see above): PG_referenced.
    if (!g.pinned) {
      g.lruvec.onMap(g.idBase + gfn);
      g.lruvec.setReferenced?.(g.idBase + gfn);
    }
  }
  host.takeMany(resident);
  g.stats[g.sb + GS_RESIDENT] += resident;
  return { resident, swapped };
}
