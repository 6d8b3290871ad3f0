/**
 * folio_referenced for one folio of the host node (mm/rmap.c, mm/vmscan.c, 6.1-6.6, and the seed's
 * series): the rmap walk to the one VMA mapping the page, the VMM's host PTE (ptep_clear_flush_young_notify)
 * and the owning VM's mmu notifier (kvm/mmuNotifier.ts). With MGLRU and the seed's fast path this is
 * lru_gen_look_around (should_look_around first): up to MIN_LRU_BATCH (64) pages around the folio,
 * clipped to its PMD (512 pages), in one lockless kvm_arch_test_clear_young batch; young neighbours are
 * promoted too, and the window's PTE table is fed to the Bloom filter ("feedback from rmap walkers to
 * page table walkers"). Pgdat.referenced (the Reclaimer's entry) comes here.
 */
import type { Pgdat } from './pgdat.ts';
import type { Promoter } from './policy/policy.ts';
import { GS_AGING_NS, PG_HOST_YOUNG, PG_SWAPCACHE } from '../sim/simLayout.ts';
import { C_CMPXCHG, C_PTE_SCAN, C_TLB_INVALIDATE } from '../sim/costs.ts';
import { hostMapped } from './hostPte.ts';
import { clearPageFlags } from './pageFlags.ts';
import { hostClear, lookAroundEnd, lookAroundStart, popcount, promoteYoung } from './youngBatch.ts';
import { PMD_PAGES, RMAP_WALK_NS } from './reclaimConsts.ts';

export { RMAP_WALK_NS } from './reclaimConsts.ts';

/** folio_referenced of page `id` at the node's clock pg.t (which it advances); one folio check of pg's budget. */
export function folioReferenced(pg: Pgdat, id: number, promoter: Promoter | null): boolean {
  pg.budget--;
  const k = pg.guestOf(id);
  const g = pg.guests[k];
  const gfn = id - pg.base[k];
  // The page's flags, read once (nothing below writes them before the tests).
  const f = g.flags[gfn];
  // A readahead folio in the swap cache is mapped nowhere: folio_referenced's rmap walk finds no
  // mapping, so no mmu notifier is called and it is not referenced.
  if ((f & PG_SWAPCACHE) !== 0) return false;
  const h = g.harvester;
  h.t = pg.t + RMAP_WALK_NS;
  h.kswapd = pg.kswapd;
  // The VMM's host PTE (mm/hostPte.ts): young once after the fault that installed it.
  const hostYoung = (f & PG_HOST_YOUNG) !== 0;
  let young: boolean;
  // `=== true`: one compare where a plain test of a boolean field is a full ToBoolean (sim/replay.ts).
  if (promoter !== null && pg.lookaround === true && (h.fastPath === true || hostYoung))
    young = lookAround(pg, k, gfn, hostYoung, promoter);
  else {
    // ptep_clear_flush_young_notify: ptep_clear_flush_young on the host PTE (arm64: the cmpxchg, and
    // flush_tlb_page_nosync's TLBI when it was young; estimate: tlbInvalidate, the stage-2 TLBI's
    // figure, for a TLBI without the DSB), then the notifier (clear_flush_young or clear_young).
    if (hostYoung) {
      clearPageFlags(g.flags, gfn, PG_HOST_YOUNG);
      const ns = g.costs[C_CMPXCHG] + g.costs[C_TLB_INVALIDATE];
      h.t += ns;
      g.stats[g.sb + GS_AGING_NS] += ns;
    }
    young = h.folioReferenced(gfn) || hostYoung;
  }
  pg.t = h.t;
  return young;
}

/**
 * folioReferenced's look-around branch (lru_gen_look_around, with the seed's should_look_around on the
 * fast path), out of line so that the rmap's one-folio path stays small enough for TurboFan to inline
 * into the policies' victim loops (session 14 (a)). Returns whether the folio was referenced; h.t
 * holds the clock (the caller reads it back).
 */
function lookAround(pg: Pgdat, k: number, gfn: number, hostYoung: boolean, promoter: Promoter): boolean {
  const g = pg.guests[k];
  const h = g.harvester;
  let s2Young = false;
  if (h.fastPath) {
    // should_look_around (the seed's mm/vmscan.c, v2 19/21; v1 5/5 the same in effect): the folio's
    // own stage-2 first, mmu_notifier_clear_young on its one page (the fast path: lockless), then its
    // host PTE; only a young folio is looked around: KVM returns MMU_NOTIFIER_RANGE_LOCKLESS only
    // when the page was young (`args.young ? MMU_NOTIFIER_RANGE_LOCKLESS : 0`), and `return ret &
    // MMU_NOTIFIER_RANGE_LOCKLESS`, as mainline's folio_referenced_one looks around only a young PTE.
    // An old folio is not referenced and its neighbours are left as they are.
    h.lookAroundBatch(gfn, 1);
    s2Young = (h.young[0] & 1) !== 0;
    if (!s2Young && !hostYoung) return false; // the caller sets pg.t from h.t
  }
  // lru_gen_look_around: MIN_LRU_BATCH pages around the folio, clipped to its PMD and the VMA.
  const pmd = gfn - (gfn % PMD_PAGES);
  const end = lookAroundEnd(gfn, g.pages);
  const start = lookAroundStart(gfn, end);
  const n = end - start;
  if (h.fastPath) {
    // The seed's lru_gen_look_around tests the stage-2 (test_spte_young: kvm_arch_test_clear_young)
    // and the host PTE (pte_young) of each page of the window, and clears both (clear_spte_young,
    // ptep_test_and_clear_young). The folio's own flag was cleared above: the window finds it old.
    h.lookAroundBatch(start, n);
  } else {
    // Mainline 6.1-6.6 folio_referenced_one: pte_young(primary) -> lru_gen_look_around, which
    // reads only host PTEs (the window's present ones: pteScan each), then referenced++ whatever
    // the notifier says; ptep_clear_flush_young_notify still runs after it (the primary, cleared
    // by the look-around, then the notifier's clear_flush_young: kvm_age_gfn under the lock).
    h.young[0] = 0;
    h.young[1] = 0;
    const ns = hostMapped(g.flags, start, n) * g.costs[C_PTE_SCAN];
    h.t += ns;
    g.stats[g.sb + GS_AGING_NS] += ns;
  }
  // The folio's own host PTE: the seed's should_look_around clears it first; mainline 6.1-6.6's
  // lru_gen_look_around clears it in its window loop too (that get_pfn_folio has no LRU test; the
  // isolated folio, folio_lru_gen < 0, gets folio_set_referenced), so ptep_clear_flush_young_notify
  // then finds it old and flush_tlb_page_nosync is not reached. Either way it ends old, counts as
  // referenced, and costs no host TLBI (session 13 (g) re-read mm/vmscan.c of that era).
  if (hostYoung) {
    clearPageFlags(g.flags, gfn, PG_HOST_YOUNG);
    h.t += g.costs[C_CMPXCHG];
    g.stats[g.sb + GS_AGING_NS] += g.costs[C_CMPXCHG];
  }
  hostClear(g, start, n);
  // kswapd's shrink has an mm_walk (set_mm_walk: pgdat->mm_walk), direct reclaim none.
  const young =
    promoteYoung(h.young, start, n, pg.base[k], gfn, promoter, g.flags, pg.kswapd, pg.lruFlag) || hostYoung || s2Young;
  // "feedback from rmap walkers to page table walkers": suitable_to_scan(i, young) over the window adds
  // its PTE table to the Bloom filter of max_seq. young counts the folio itself (the seed's
  // should_look_around sets it; mainline's window loop finds its young host PTE), cleared above.
  const own = gfn - start;
  const ownBit = (h.young[own >>> 5] >>> (own & 31)) & 1;
  promoter.lookedAround?.(pg.pmdBase[k] + pmd / PMD_PAGES, n, popcount(h.young[0]) + popcount(h.young[1]) - ownBit + 1);
  if (!h.fastPath) h.folioReferenced(gfn);
  return young;
}
