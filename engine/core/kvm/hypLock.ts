/**
 * pKVM's own locks at EL2 (mainline 6.14+, arch/arm64/kvm/hyp/nvhe/mem_protect.c), in virtual time.
 *
 * What the hypervisor does. A non-protected guest's stage-2 belongs to EL2, and every change the host asks
 * for is a hypercall whose EL2 part runs under hyp spinlocks:
 * - host_lock_component: hyp_spin_lock(&host_mmu.lock), the host stage-2 and page-ownership lock. ONE for
 *   the whole host: every VM's transitions take it.
 * - guest_lock_component(vm): hyp_spin_lock(&vm->lock), the hyp VM's stage-2 page-table lock, one per VM.
 * Which hypercall takes which (read in 6.14's and a 6.19-era mem_protect.c; 6.15-6.16 add nr_pages, the
 * locking is the same):
 * - __pkvm_host_share_guest (the stage-2 fault's map, pkvm_pgtable_stage2_map): host_lock_component, then
 *   guest_lock_component; under both the page-state checks (__guest_check_page_state_range, the host
 *   state of the page), the memcache check and kvm_pgtable_stage2_map on the hyp VM's table (its walk,
 *   leaf install and, without FWB, the CMO through mm_ops.dcache_clean_inval_poc).
 * - __pkvm_host_unshare_guest (the unmap, pkvm_pgtable_stage2_unmap): both, around __check_host_shared_guest
 *   (kvm_pgtable_get_leaf) and kvm_pgtable_stage2_unmap (the PTE clear, its TLBI + DSB ISH broadcasts and
 *   the CMO): so a DVM Sync wait (arch/dvm.ts) at EL2 is spent holding host_mmu.lock.
 * - __pkvm_host_test_clear_young_guest (aging), __pkvm_host_relax_perms_guest (a permission fault),
 *   __pkvm_host_wrprotect_guest, __pkvm_host_mkyoung_guest (an access-flag fault): guest_lock_component
 *   only (their assert_host_shared_guest takes both locks only with CONFIG_NVHE_EL2_DEBUG).
 * - __pkvm_tlb_flush_vmid (hyp-main.c handle___pkvm_tlb_flush_vmid): neither; __kvm_tlb_flush_vmid runs
 *   unlocked. Like the unshare / test / wrprotect handlers it resolves the handle with get_np_pkvm_hyp_vm
 *   and drops it with put_pkvm_hyp_vm, each a short hold of the host-wide vm_table_lock (a table lookup and
 *   a refcount); the share handler uses the loaded vCPU instead (pkvm_get_loaded_hyp_vcpu, per-CPU). Those
 *   vm_table_lock holds are not modelled: no figure, and tens of ns against the microseconds here.
 * hyp_spinlock_t (arch/arm64/kvm/hyp/include/nvhe/spinlock.h) is a ticket lock: waiters are served in
 * arrival order. So each lock is a FIFO mutex in virtual time: a VLock used for write holds only (sync/
 * vlock.ts), as the DVM Sync calendar (arch/dvm.ts) is.
 *
 * Where the lab takes them. Every caller in the lab holds kvm->mmu_lock for write around its HVC under pKVM
 * (kvm_fault_lock for the map and relax, the mmu notifier for the unmap and the aging test), so one VM's
 * guest_lock_component is never contended here: its holds nest in the VM's write holds, which exclude each
 * other (the lock is booked anyway, and its counters show the zero). host_lock_component is where VMs meet:
 * VM a's share or unshare and VM b's, each inside its own VM's write hold, exclude each other at EL2, and
 * the spinning one keeps its kvm->mmu_lock the while (its hold lengthens, extendMmuHold).
 *
 * The hold (the EL2 critical section), split from figures the lab already charges, none added:
 * - el2LookupNs: the hyp VM table's walk to the page's leaf, one lookup as the host-side modes charge it for
 *   one folio (descent walkLevel x levels + the leaf line memAccess, mmuNotifier.ts lookupNs + pteScan).
 *   It is carved out of the hypercall estimate (its last part before the itemized work), which has no
 *   separate figure for EL2's table work; the HVC's total stays the profile's figure. The page-state checks'
 *   second walk (same lines) and the hyp_page lookups are not itemized (an understatement of the hold).
 * - then the EL2 work the lab itemizes already: the leaf's cmpxchg and the CMO (share), the PTE clear, two
 *   TLBI + DSB and the CMO (unshare), the AF clear's cmpxchg when the page was young (test: carved from the
 *   hypercall too, which is all that mode charges per page).
 * The lock's own acquire/release is left inside the round trip's estimate (not added).
 *
 * One host lock per worker (composeWorker.ts), shared by every guest of that worker, as the DVM calendar:
 * deterministic runs (one worker) share it host-wide. Approximation, parallel runs: guests on different
 * workers book different calendars, so their EL2 sections do not queue on each other (an undercount; see
 * arch/dvm.ts's design note on why a shared calendar was not kept). The guest lock is per Guest object (in a
 * spread run, per worker of the VM: an undercount only where the VM's write holds would not exclude anyway).
 * The trace replay's lone agent (one VM, sim/replayMmu.ts) books neither: nothing else could hold them.
 */
import { DOUBLE_ZERO } from '../ownShape.ts';
import { VLock } from '../sync/vlock.ts';
import { C_HYPERCALL, C_MEM_ACCESS, C_WALK_LEVEL } from '../sim/costIndex.ts';

export class HypLock {
  private readonly cal = new VLock(0);
  /** Acquisitions, those that waited, and the total wait (ns): diagnostics (tests, bench). */
  n = 0;
  waited = 0;
  waitNs = DOUBLE_ZERO;
  /** Extensions (extend) not granted at the hold's end: a gap the kernel does not have (see extendHold). */
  splitHolds = 0;

  /** hyp_spin_lock at t, the critical section lasting ns: the grant (>= t; ticket order = arrival order). */
  acquire(t: number, ns: number): number {
    const s = this.cal.write(t, ns, false);
    this.n++;
    if (s > t) {
      this.waited++;
      this.waitNs += s - t;
    }
    return s;
  }

  /** The hold granted earlier and ending at `end` lasts ns longer (a wait inside it): its new end. */
  extend(end: number, ns: number): number {
    const s = this.cal.write(end, ns, false);
    if (s !== end) this.splitHolds++;
    return s + ns;
  }
}

/**
 * The EL2 lookup of one page's leaf in the hyp VM's table under pKVM, carved from the hypercall estimate
 * (see the file comment): levels x walkLevel + memAccess, at most the hypercall. 0 off pKVM.
 */
export function el2LookupNs(pkvm: boolean, c: Float64Array, startLevel: number): number {
  return pkvm ? Math.min(c[C_HYPERCALL], (4 - startLevel) * c[C_WALK_LEVEL] + c[C_MEM_ACCESS]) : 0;
}

/**
 * One HVC's EL2 critical section asked at `issue`, lasting ns: host_lock_component (host; null when the
 * hypercall does not take it) then guest_lock_component (guest), in the kernel's order; the host lock is
 * held while its owner spins on the guest lock. Returns the wait before the section starts (0 uncontended).
 */
export function el2Section(host: HypLock | null, guest: HypLock, issue: number, ns: number): number {
  const sh = host === null ? issue : host.acquire(issue, ns);
  const sg = guest.acquire(sh, ns);
  if (host !== null && sg > sh) host.extend(sh + ns, sg - sh);
  return sg - issue;
}

/**
 * A wait at EL2 inside a kvm->mmu_lock write hold ending at `end` (the vCPU or reclaimer spins in the
 * hypervisor holding the VM's lock): the hold lasts ns longer, booked as a second write at `end` (arch/dvm.ts
 * extendHold does the same for the DVM Sync). Returns the extended hold's end; a split (another hold booked
 * earlier in real time at `end`) is counted on `hl`.
 */
export function extendMmuHold(vlock: VLock, hl: HypLock, end: number, ns: number, aging: boolean): number {
  const s = vlock.write(end, ns, aging);
  if (s !== end) hl.splitHolds++;
  return s + ns;
}
