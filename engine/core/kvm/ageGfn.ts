/**
 * kvm_age_gfn / kvm_arch_test_clear_young on one VM's stage-2 (arch/arm64/kvm/mmu.c ->
 * kvm_pgtable_stage2_test_clear_young, arch/arm64/kvm/hyp/pgtable.c; the seed's bitmap variant): test and
 * clear AF of up to 64 gfns inside a hold of kvm/notifierLock.ts, with its costs (streamed descriptors,
 * cmpxchg per cleared or lost AF, the lone lookup's descent from the root) and counters. Under pKVM
 * (hypercall mode) the host cannot read the hypervisor's table: pkvm_pgtable_stage2_test_clear_young
 * (arch/arm64/kvm/pkvm.c), one HVC per mapping. With the TLB model's flushOnClear, a per-page TLBI per
 * cleared AF.
 *
 * Base class of the notifier (kvm/mmuNotifier.ts Harvester), whose handlers call batch between begin and
 * end; `young` holds the answer.
 */
import {
  newTestClearYoungStats,
  testClearYoung,
  testClearYoungLeaf,
  testClearYoungOne,
} from '../arch/testClearYoung.ts';
import { C_CMPXCHG, C_HYPERCALL, C_MEM_ACCESS, C_PTE_SCAN, C_TLB_INVALIDATE, C_WALK_LEVEL } from '../sim/costs.ts';
import type { Guest } from '../sim/guest.ts';
import { NotifierLock } from './notifierLock.ts';
import {
  GS_CMPXCHG_FAIL,
  GS_FOLIOS_CONSIDERED,
  GS_HYPERCALLS,
  GS_PTES_SCANNED,
  GS_TLBI,
  GS_YOUNG_FOUND,
  PG_RESIDENT,
} from '../sim/simLayout.ts';

export class AgeGfn extends NotifierLock {
  /** Young pages found by the last batch, bit i = gfn start + i (two words). */
  readonly young = new Uint32Array(2);
  /**
   * The harvest mode gives no accessed information ('none') / is pKVM's hypercall mode: decided once by
   * the notifier's mode (kvm/mmuNotifier.ts says why these are fields).
   */
  protected readonly noInfo: boolean;
  protected readonly hypercall: boolean;
  private readonly bitmap = new Uint32Array(2);
  /**
   * What a lone lookup of one folio's stage-2 leaf costs over the streaming pteScan: the walk's descent
   * from the root (kvm_pgtable_walk -> __kvm_pgtable_walk, one level per table: walkLevel each, as the
   * vCPU's walk) and the leaf descriptor's line as a demand miss (memAccess) instead of one streamed
   * descriptor (pteScan assumes 8 descriptors per line with prefetch: a sequential scan). Charged to the
   * batches that start at a folio the LRU picked, whose leaf nothing touched recently on this CPU:
   * kvm_age_gfn for one folio (folio_referenced's notifier) and lru_gen_look_around's batch; not to the
   * MGLRU walk's consecutive windows (walk_pte_range streams through a leaf table).
   */
  private readonly lookupNs: number;
  /**
   * The lookup when the folio's leaf descriptor shares its 64-byte line (8 descriptors, gfn >> 3) with
   * the last one this harvester looked up or streamed: the descent only (walkLevel x levels), the
   * line still in the reclaimer's cache. Estimate with reasoning: reclaim meets folios in LRU order, which
   * after a sequential sweep (max_guest_memory_test) is address order, so 7 of 8 consecutive lookups hit
   * the line the previous one loaded (and cleared AF in, so it is held modified); a vCPU that set AF in
   * that line in between would move it away (not modelled: between two lookups ~0.2-2 us apart). After
   * random accesses (memcached) consecutive folios rarely share a line and every lookup misses.
   */
  private readonly descentNs: number;
  /** Leaf line (gfn >> 3) of the last lookup or batch, -1: none. */
  private lastLeafLine = -1;
  private readonly tcy = newTestClearYoungStats();
  /**
   * Set by the trace-replay fast path with loneAgent (outside a debug arena): the Int32 word of each
   * mapped gfn's level-3 leaf, -1 when unmapped (TraceReplay keeps it; the contract of
   * testClearYoungLeaf). A one-folio batch then visits that leaf without descending from the root.
   */
  leafOf: Int32Array | null = null;
  /**
   * With leafOf (the trace replay's lone agent): batchLeaf's GS_PTES_SCANNED and GS_YOUNG_FOUND counts and the
   * notifier's GS_FOLIOS_CONSIDERED (kvm/mmuNotifier.ts), kept here and added to the guest's counters by
   * flushCounts, which the replay calls at each of its flushes (sim/replayFault.ts, before any reader of the
   * counters: sample rows, the probe, the result), as it keeps its own faults and evictions. Whole numbers,
   * so the sums are exact in any order. ~25 instructions each per folio considered in place (callgrind,
   * CLOCK x10, session 17 (c)).
   */
  protected scannedN = 0;
  protected youngN = 0;
  protected consideredN = 0;

  constructor(g: Guest, noInfo: boolean, hypercall: boolean) {
    super(g);
    this.noInfo = noInfo;
    this.hypercall = hypercall;
    const c = g.costs;
    this.descentNs = (4 - g.pgt.startLevel) * c[C_WALK_LEVEL];
    this.lookupNs = this.descentNs + c[C_MEM_ACCESS] - c[C_PTE_SCAN];
  }

  /**
   * Test and clear AF of gfns [start, start + count), count <= 64, inside begin/end. `lookup`: the batch
   * starts with a lone lookup of a folio's leaf (lookupNs), not inside a streaming walk.
   */
  protected batch(start: number, count: number, lookup: boolean): void {
    const y = this.young;
    y[0] = 0;
    y[1] = 0;
    if (this.noInfo === true) return;
    const leafOf = this.leafOf;
    if (count === 1 && leafOf !== null && this.hypercall === false) {
      const w = leafOf[start];
      if (w >= 0) {
        this.batchLeaf(start, w, lookup);
        return;
      }
    }
    const g = this.g;
    const b = this.bitmap;
    // Ask for every gfn of the window to be cleared: bit (lsb - gfn) set. Young leaves toggle
    // their bit to 0 (and get AF cleared); old or invalid leaves leave it set.
    const lsb = start + count - 1;
    b[0] = count >= 32 ? 0xffffffff : (1 << count) - 1;
    b[1] = count > 32 ? (count >= 64 ? 0xffffffff : (1 << (count - 32)) - 1) : 0;
    const st = this.tcy;
    st.scanned = 0;
    st.young = 0;
    st.cleared = 0;
    st.casFailures = 0;
    const w = count === 1 && leafOf !== null ? leafOf[start] : -1;
    if (w >= 0) testClearYoungLeaf(g.pgt, w, start, lsb, b, st);
    else testClearYoung(g.pgt, start, start + count, lsb, b, st);
    if (this.hypercall === true) this.hypercalls(start, count);
    else {
      const costs = g.costs;
      this.t += st.scanned * costs[C_PTE_SCAN] + (st.cleared + st.casFailures) * costs[C_CMPXCHG];
      if (lookup === true && st.scanned > 0)
        this.t += start >>> 3 === this.lastLeafLine ? this.descentNs : this.lookupNs;
      if (st.scanned > 0) this.lastLeafLine = (start + count - 1) >>> 3;
    }
    g.stats[g.sb + GS_PTES_SCANNED] += st.scanned;
    g.stats[g.sb + GS_YOUNG_FOUND] += st.cleared;
    g.stats[g.sb + GS_CMPXCHG_FAIL] += st.casFailures;
    if (st.cleared !== 0) this.youngOf(start, count);
  }

  /**
   * batch under pKVM: the host cannot read the hypervisor's table, one hypercall per mapped page
   * (pkvm_pgtable_stage2_test_clear_young: one per pkvm_mapping in the range, page-sized under pKVM).
   * Out of line, as youngOf, so that batch stays small enough to inline (session 14 (a)).
   */
  private hypercalls(start: number, count: number): void {
    const g = this.g;
    let mapped = 0;
    for (let i = 0; i < count; i++) if ((g.flags[start + i] & PG_RESIDENT) !== 0) mapped++;
    const costs = g.costs;
    if (mapped === 1 && count === 1 && g.hypGuestLock !== null) {
      // __pkvm_host_test_clear_young_guest's section under guest_lock_component: the walk to the leaf
      // and, when young, the AF clear, the HVC's last part (carved from it: kvm/hypLock.ts). Recorded
      // for end(), which knows the grant. (Only folio_referenced's one-folio batch runs in this mode.)
      const el2 = Math.min(costs[C_HYPERCALL], g.el2LookupNs + (this.tcy.cleared > 0 ? costs[C_CMPXCHG] : 0));
      this.el2Off = this.t - this.holdStart + costs[C_HYPERCALL] - el2;
      this.el2Ns = el2;
    }
    this.t += mapped * costs[C_HYPERCALL];
    g.stats[g.sb + GS_HYPERCALLS] += mapped;
  }

  /**
   * batch's answer when it cleared AF somewhere: `young` from the bitmap (a cleared bit of a resident
   * page), with the per-page TLBI of flushOnClear when the TLB model is on.
   */
  private youngOf(start: number, count: number): void {
    const g = this.g;
    const y = this.young;
    const b = this.bitmap;
    const lsb = start + count - 1;
    const costs = g.costs;
    const flushOne = g.tlbs !== null && g.flushOnClear;
    for (let i = 0; i < count; i++) {
      const n = lsb - (start + i);
      if ((b[n >>> 5] & (1 << (n & 31))) === 0 && (g.flags[start + i] & PG_RESIDENT) !== 0) {
        y[i >>> 5] |= 1 << (i & 31);
        if (flushOne && g.tlbs !== null) {
          g.tlbs.invalidate(start + i);
          this.t += costs[C_TLB_INVALIDATE];
          g.stats[g.sb + GS_TLBI]++;
        }
      }
    }
  }

  /**
   * batch(start, 1, lookup) when gfn start's leaf is known to be at word `w` (leafOf, the trace replay's walk
   * cache; not under pKVM's hypercall mode): the same visit of that one leaf (testClearYoungOne, the
   * single-gfn testClearYoungLeaf) and the same charges and counters as batch's general path for one scanned
   * leaf, in the same order of floating-point additions: pteScan, a cmpxchg when it was young (cleared or
   * lost), the lookup (descentNs when its line is the last one's), and `young` bit 0 when AF was cleared on
   * a resident page. Apart from batch so that folio_referenced's one-folio notifier call (CLOCK's and MGLRU's
   * eviction in a trace replay, once per folio considered) skips the bitmap's set-up, the walk's argument
   * binding and the stats object: 464 instructions per call in batch (callgrind, MGLRU x10, session 14).
   */
  protected batchLeaf(start: number, w: number, lookup: boolean): void {
    const g = this.g;
    const r = testClearYoungOne(g.pgt, w);
    const costs = g.costs;
    this.t += costs[C_PTE_SCAN] + (r !== 0 ? costs[C_CMPXCHG] : 0);
    const line = start >>> 3;
    if (lookup === true) this.t += line === this.lastLeafLine ? this.descentNs : this.lookupNs;
    this.lastLeafLine = line;
    this.scannedN++; // GS_PTES_SCANNED (flushCounts)
    if (r === -1) this.gs[GS_CMPXCHG_FAIL] += 1;
    if (r !== 1) return;
    this.youngN++; // GS_YOUNG_FOUND (flushCounts)
    if ((g.flags[start] & PG_RESIDENT) === 0) return;
    this.young[0] = 1;
    if (g.tlbs !== null && g.flushOnClear) {
      g.tlbs.invalidate(start);
      this.t += costs[C_TLB_INVALIDATE];
      this.gs[GS_TLBI]++;
    }
  }

  /** The counts kept in fields (scannedN, youngN, consideredN) added to the guest's counters. */
  flushCounts(): void {
    const s = this.gs;
    s[GS_PTES_SCANNED] += this.scannedN;
    s[GS_YOUNG_FOUND] += this.youngN;
    s[GS_FOLIOS_CONSIDERED] += this.consideredN;
    this.scannedN = 0;
    this.youngN = 0;
    this.consideredN = 0;
  }
}
