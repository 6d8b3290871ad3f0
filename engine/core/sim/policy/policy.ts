/**
 * A reclaim policy over one guest's resident pages (DESIGN.md "Reclaim").
 *
 * Contract:
 * - onMap(gfn): the page just became resident (after a stage-2 fault); it joins the structures.
 * - onAccess(gfn): called on EVERY access to a resident page, but only when `seesEveryAccess`
 *   (exact LRU, the upper bound that cheats); AF-based policies learn about accesses only via AF.
 * - pickVictim(h, inlineAging): choose a page to evict, remove it from the structures and return it,
 *   or -1 if nothing is evictable now. Reading AF goes through the Harvester `h`, which advances `h.t`
 *   (the reclaimer's clock) by what the reads cost in the harvest mode. The caller unmaps and swaps
 *   out the victim. With `inlineAging` (direct reclaim on a vCPU) a policy that cannot evict without
 *   an aging pass runs a whole pass here if its AgingGate is open; without it (kswapd) it returns -1
 *   and kswapd runs the pass in steps (wantsAging/beginAging/ageStep).
 * - Aging is reclaim-driven (agingGate.ts): wantsAging(t) is true when reclaim needs a pass now (the
 *   policy's own trigger) and the gate is open; beginAging(t) starts it (counted in GS_AGING_PASSES);
 *   ageStep(h) does one lock hold's worth of it and returns false when the pass is complete.
 *   MGLRU and active/inactive age; CLOCK and exact LRU never do (CLOCK's hand moves only inside
 *   pickVictim, when reclaim needs a victim).
 * Policies are single-writer: only the guest's owner worker calls them.
 */
import type { Harvester } from '../harvest.ts';

export interface Policy {
  readonly seesEveryAccess: boolean;
  onMap(gfn: number): void;
  onAccess(gfn: number): void;
  pickVictim(h: Harvester, inlineAging: boolean): number;
  wantsAging(t: number): boolean;
  beginAging(t: number): void;
  ageStep(h: Harvester): boolean;
}
