/**
 * A reclaim policy over one guest's resident pages (DESIGN.md "Reclaim").
 *
 * Contract:
 * - onMap(gfn): the page just became resident (after a stage-2 fault); it joins the structures.
 * - onAccess(gfn): called on EVERY access to a resident page, but only when `seesEveryAccess`
 *   (exact LRU, the upper bound that cheats); AF-based policies learn about accesses only via AF.
 * - pickVictim(h): choose a page to evict, remove it from the structures and return it, or -1 if
 *   nothing is evictable. Reading AF goes through the Harvester `h`, which advances `h.t` by what
 *   the reads cost in the harvest mode. The caller unmaps and swaps out the victim.
 * - age(h): a whole aging pass; beginAging() + ageStep(h) until false: the same pass in steps
 *   (one lock hold each), so a periodic aging thread interleaves with vCPUs in virtual time.
 *   MGLRU only; the others age inside pickVictim (their beginAging/ageStep do nothing).
 * Policies are single-writer: only the guest's owner worker calls them.
 */
import type { Harvester } from '../harvest.ts';

export interface Policy {
  readonly seesEveryAccess: boolean;
  readonly agesPeriodically: boolean;
  onMap(gfn: number): void;
  onAccess(gfn: number): void;
  pickVictim(h: Harvester): number;
  age(h: Harvester): void;
  beginAging(): void;
  ageStep(h: Harvester): boolean;
}
