/**
 * The KVM side of the mmu notifiers reclaim calls to age one VM's stage-2 (virt/kvm/kvm_main.c,
 * arch/arm64/kvm/mmu.c), in the configured harvest mode (DESIGN.md "Harvest modes"). Host reclaim
 * (engine/core/mm/pgdat.ts) reaches a VM only through this class:
 *
 *   folioReferenced(gfn)  folio_referenced -> folio_referenced_one -> ptep_clear_flush_young_notify
 *                         (or ptep_clear_young_notify with reclaim.rmapFlushYoung = false) ->
 *                         kvm_mmu_notifier_clear_flush_young / clear_young -> kvm_handle_hva_range,
 *                         which takes KVM_MMU_LOCK (write_lock on arm64) around kvm_age_gfn for the one
 *                         folio, and with the flush variant kvm_flush_remote_tlbs when it was young.
 *   lookAroundBatch(...)  the seed's fast path, kvm_arch_test_clear_young over up to 64 gfns with the
 *                         bitmap, lockless under RCU (used by lru_gen_look_around and walk_pte_range).
 *   walkBatch(...)        MGLRU's page-table walk (walk_pte_range) over one 64-gfn window of the VMM's
 *                         mapping of guest memory: with the fast path it harvests the stage-2 through
 *                         kvm_arch_test_clear_young; without it the walk reads only the host (primary)
 *                         PTEs, which the guest's accesses never make young: only the fault that
 *                         installed one did (mm/hostPte.ts; Pgdat.walk tests those in every mode).
 *
 * Modes (what KVM implements):
 *   lockless      the seed series: the fast path exists when kvm_arch_has_test_clear_young()
 *                 (cpu_has_hw_af() && !is_protected_kvm_enabled(); or the reviewer's what-if
 *                 allowLocklessWithoutHafdbs). In v1, clear_flush_young kept its write lock; with
 *                 rmapFlushYoung = false (v2) the rmap's clear_young goes through the fast path too.
 *   locked-write  mainline/baseline: every notifier age call under kvm->mmu_lock for write.
 *   locked-read   what-if (a dropped 2024 series): under the lock for read.
 *   hypercall     pKVM, non-protected guest: one HVC per mapping (__pkvm_host_test_clear_young_guest)
 *                 under kvm->mmu_lock for write: mainline 6.14+ kvm_age_gfn -> KVM_PGT_S2(test_clear_young)
 *                 -> pkvm_pgtable_stage2_test_clear_young (arch/arm64/kvm/pkvm.c), mappings page-sized
 *                 under pKVM (force_pte) until 6.16; the HVC clears AF at EL2 with no TLBI, the flush is
 *                 clear_flush_young's __pkvm_tlb_flush_vmid, a second HVC (docs/profile-pkvm.md). Android
 *                 common kernels 6.1/6.6 have no such path: they pin guest memory and kvm_age_gfn returns
 *                 false under pKVM.
 *   none          no accessed information (protected guests are pinned and never aged anyway).
 *
 * Time: the caller sets `t` (its virtual clock), calls one method, and reads `t` back. Costs come from
 * the hardware profile; counters go to the guest's stats. `kswapd` says whether the caller is kswapd
 * (its write-lock wait is counted apart: the seed's kswapd profile).
 *
 * This file holds the handlers and the mode; kvm_age_gfn / test_clear_young on the stage-2 is kvm/ageGfn.ts
 * (the base class), the lock or RCU around each call and its booking on the virtual lock, the EL2 section
 * and the DVM broadcast kvm/notifierLock.ts (its base).
 */
import { assertNever, type HarvestMode } from '../../protocol.ts';
import type { Guest } from '../sim/guest.ts';
import { AgeGfn } from './ageGfn.ts';
import { GS_AGING_NS, GS_FOLIOS_CONSIDERED, PG_RESIDENT } from '../sim/simLayout.ts';
import { C_PTE_SCAN } from '../sim/costs.ts';

const M_LOCKLESS = 0;
const M_LOCKED_WRITE = 1;
const M_LOCKED_READ = 2;
const M_HYPERCALL = 3;
const M_NONE = 4;

function modeCode(m: HarvestMode): number {
  switch (m) {
    case 'lockless':
      return M_LOCKLESS;
    case 'locked-write':
      return M_LOCKED_WRITE;
    case 'locked-read':
      return M_LOCKED_READ;
    case 'hypercall':
      return M_HYPERCALL;
    case 'none':
      return M_NONE;
    default:
      return assertNever(m, 'harvest mode');
  }
}

export interface HarvestOptions {
  mode: HarvestMode;
  /** kvm_arch_has_test_clear_young(): hardware AF (or the what-if) and not pKVM. */
  fastPathAllowed: boolean;
  /** should_walk_mmu(): arch_has_hw_pte_young() (FEAT_HAFDBS on arm64). */
  walkMmu: boolean;
  /** folio_referenced_one calls clear_flush_young (true) or clear_young (false). */
  rmapFlushYoung: boolean;
}

export class Harvester extends AgeGfn {
  /** The seed's lockless test_clear_young fast path is available on this VM. */
  readonly fastPath: boolean;
  /** MGLRU may walk page tables (should_walk_mmu). */
  readonly walkMmu: boolean;
  private readonly mode: number;
  /**
   * The mode's tests on every folio_referenced call, decided once: mode === M_NONE (AgeGfn.noInfo), mode ===
   * M_HYPERCALL (AgeGfn.hypercall), and folioReferenced's begin() kind. The M_* codes are module constants of
   * a module that imports, which the bundler does not inline (mm/policy/mglruConsts.ts says why): a context
   * load, a Smi check and an untag per use on the trace replay's reclaim path, where these fields are one
   * load each.
   */
  private readonly rmapKind: number;
  private readonly flushYoung: boolean;
  /** The rmap notifier (clear_young / clear_flush_young) takes the fast path (v2 with the seed). */
  private readonly rmapLockless: boolean;

  constructor(g: Guest, o: HarvestOptions) {
    super(g, o.mode === 'none', o.mode === 'hypercall');
    this.mode = modeCode(o.mode);
    this.fastPath = this.mode === M_LOCKLESS && o.fastPathAllowed;
    this.walkMmu = o.walkMmu;
    this.flushYoung = o.rmapFlushYoung;
    this.rmapLockless = this.fastPath && !o.rmapFlushYoung;
    this.rmapKind = this.rmapLockless ? 0 : this.mode === M_LOCKED_READ ? 2 : 1;
  }

  /** True when this mode gives accessed information at all. */
  get informative(): boolean {
    return this.mode !== M_NONE;
  }

  /**
   * folio_referenced for one folio mapped by this VM, through the mmu notifier (see the file
   * comment). Returns whether the stage-2 PTE was young (and clears AF).
   */
  folioReferenced(gfn: number): boolean {
    const g = this.g;
    const leafOf = this.leafOf;
    // GS_FOLIOS_CONSIDERED: with leafOf (the trace replay) kept in a field until flushCounts (ageGfn.ts).
    if (leafOf !== null) this.consideredN++;
    else this.gs[GS_FOLIOS_CONSIDERED]++;
    if (this.noInfo === true) return false;
    const t0 = this.t;
    this.begin(this.rmapKind);
    // kvm_age_gfn (or the fast path) on the one page: batch(gfn, 1, true), whose one-folio visit at the
    // leaf's known word (batchLeaf) is taken here when it applies, without batch's entry.
    const w = leafOf !== null && this.hypercall === false ? leafOf[gfn] : -1;
    if (w >= 0) {
      this.young[0] = 0;
      this.young[1] = 0;
      this.batchLeaf(gfn, w, true);
    } else this.batch(gfn, 1, true);
    const young = (this.young[0] & 1) !== 0;
    if (young && this.flushYoung === true && this.rmapLockless === false) {
      // kvm_handle_hva_range(.flush_on_ret) -> kvm_flush_remote_tlbs, still inside KVM_MMU_LOCK (before
      // end()), so its cost lengthens the write hold. arm64: __kvm_tlb_flush_vmid, TLBI VMALLS12E1IS +
      // DSB ISH (tlbFlushVmid); x86: IPIs to the vCPUs in guest mode and the wait for their exits
      // (kvm/remoteTlbFlush.ts). Every vCPU of this VM, and no other VM's, loses its cached
      // translations and refills with a full two-dimensional walk (arch/tlb.ts). The running set is
      // read at the time the hold was asked for (holdStart).
      const ns = g.flushRemoteTlbs(this.holdStart, this.kswapd);
      this.t += ns;
      // arm64: the flush is the hold's last work; end() queues its DSB on the host's DVM Sync once the
      // hold's grant is known (arch/dvm.ts). Under pKVM the flush is an HVC (kvm_call_hyp_nvhe(
      // __pkvm_tlb_flush_vmid)) whose round trip is the flusher's own time: only the TLBI + DSB ISH it
      // runs at EL2 occupies the DVM Sync (Guest.flushHvcNs, sim/costs.ts flushHvcNs).
      if (g.dvm !== null) this.dvmNs = ns - g.flushHvcNs;
    }
    this.end();
    this.gs[GS_AGING_NS] += this.t - t0;
    return young;
  }

  /**
   * kvm_arch_test_clear_young on gfns [start, start + count), count <= 64, lockless under RCU (the
   * seed's fast path; callers check `fastPath`). Afterwards `young` holds the pages that were young.
   */
  lookAroundBatch(start: number, count: number, lookup = true): void {
    const t0 = this.t;
    this.begin(0);
    this.batch(start, count, lookup);
    this.end();
    this.gs[GS_AGING_NS] += this.t - t0;
  }

  /**
   * walk_pte_range over one window of guest memory: with the fast path, the stage-2 is harvested
   * (lookAroundBatch); without it only the primary PTEs are read (cost, nothing young here: the guest's
   * accesses set the stage-2 AF, not the VMM's host PTEs; the young bit a fault left on a host PTE is
   * the caller's, mm/hostPte.ts via Pgdat.walk). Callers check `walkMmu` first.
   */
  walkBatch(start: number, count: number): void {
    if (this.fastPath) {
      this.lookAroundBatch(start, count, false);
      return;
    }
    const g = this.g;
    let resident = 0;
    for (let i = 0; i < count; i++) if ((g.flags[start + i] & PG_RESIDENT) !== 0) resident++;
    this.young[0] = 0;
    this.young[1] = 0;
    const ns = resident * g.costs[C_PTE_SCAN];
    this.t += ns;
    g.stats[g.sb + GS_AGING_NS] += ns;
  }
}
