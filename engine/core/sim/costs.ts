/**
 * The cost model: every virtual nanosecond the simulation charges comes from the hardware
 * profile's `costs` (CostKey in protocol.ts). Copied once into a Float64Array indexed by the
 * C_* constants so the hot path reads `costs[C_WALK_LEVEL]` instead of a string-keyed object.
 */
import { COST_KEYS, type HardwareProfile } from '../../protocol.ts';
import { C_DCACHE_CLEAN_INVAL, C_HYPERCALL, C_S2_FAULT, C_TLB_FLUSH_VMID } from './costIndex.ts';

export {
  C_MEM_ACCESS,
  C_WALK_LEVEL,
  C_HW_AF_UPDATE,
  C_AF_FAULT,
  C_S2_FAULT,
  C_HYPERCALL,
  C_LOCK_ACQUIRE,
  C_TLB_INVALIDATE,
  C_PTE_SCAN,
  C_CMPXCHG,
  C_SWAP_IN,
  C_SWAP_OUT,
  C_RCU_GRACE_PERIOD,
  C_TLB_FLUSH_VMID,
  C_DCACHE_CLEAN_INVAL,
  C_VCPU_REQUEST,
  C_IPI_SEND,
  C_IPI_ACK,
  C_KICK_EXIT,
} from './costIndex.ts';

export function costTable(hw: HardwareProfile): Float64Array {
  const t = new Float64Array(COST_KEYS.length);
  for (let i = 0; i < COST_KEYS.length; i++) {
    const f = hw.costs[COST_KEYS[i]];
    if (!f || !Number.isFinite(f.ns) || f.ns < 0)
      throw new RangeError(`hardware cost '${COST_KEYS[i]}' must be a finite ns >= 0`);
    t[i] = f.ns;
  }
  return t;
}

/**
 * Cache maintenance of one 4 KiB guest page in a stage-2 map or unmap: dcache_clean_inval_poc, which
 * stage2_map_walker_try_leaf runs before it makes a new cacheable leaf valid and stage2_unmap_walker
 * after it clears a cacheable one, both only without FEAT_S2FWB. 0 with FWB or an absent flag.
 */
export function s2CmoNs(hw: HardwareProfile, c: Float64Array): number {
  return hw.s2fwb === false ? c[C_DCACHE_CLEAN_INVAL] : 0;
}

/**
 * The HVC round trip inside one kvm_flush_remote_tlbs, which lengthens the flusher's write hold but is not
 * DVM traffic. Under pKVM (mainline 6.14+, arch/arm64/kvm/mmu.c kvm_arch_flush_remote_tlbs) the flush is
 * kvm_call_hyp_nvhe(__pkvm_tlb_flush_vmid, handle): an HVC, then at EL2 (arch/arm64/kvm/hyp/nvhe/hyp-main.c
 * handle___pkvm_tlb_flush_vmid) __kvm_tlb_flush_vmid's TLBI VMALLS12E1IS + DSB ISH on the hyp VM's stage-2
 * MMU, then the ERET. The exception entry, the host context save/restore and the return are local to the
 * flusher's PE; only the TLBI + DSB ISH is a DVM Sync other PEs' broadcasts queue on (arch/dvm.ts). The
 * pkvm profile's tlbFlushVmid is that sum (its source: the hypercall round trip plus the broadcast), so the
 * HVC part is the profile's hypercall figure, at most the whole flush. 0 off pKVM: VHE calls
 * __kvm_tlb_flush_vmid directly, and the other arm64 profiles' tlbFlushVmid is the broadcast alone.
 */
export function flushHvcNs(hw: HardwareProfile, c: Float64Array): number {
  return hw.pkvm ? Math.min(c[C_HYPERCALL], c[C_TLB_FLUSH_VMID]) : 0;
}

/**
 * The HVC round trip of one page's stage-2 unmap under pKVM (mainline 6.14+): kvm_unmap_gfn_range ->
 * pkvm_pgtable_stage2_unmap -> kvm_call_hyp_nvhe(__pkvm_host_unshare_guest), one per pkvm_mapping
 * (page-sized under pKVM until 6.16), inside kvm->mmu_lock's write hold (kvm/unmapGfnRange.ts
 * unmapHoldNs). The profile's hypercall figure (estimate). 0 off pKVM: the host unmaps its own table.
 */
export function unmapHvcNs(hw: HardwareProfile, c: Float64Array): number {
  return hw.pkvm ? c[C_HYPERCALL] : 0;
}

/**
 * The HVC round trip of a vCPU's stage-2 map or permission relax under pKVM (mainline 6.14+), inside the
 * fault's kvm->mmu_lock hold: user_mem_abort (arch/arm64/kvm/mmu.c) -> KVM_PGT_FN(kvm_pgtable_stage2_map) =
 * pkvm_pgtable_stage2_map (arch/arm64/kvm/pkvm.c, lockdep_assert_held_write) ->
 * kvm_call_hyp_nvhe(__pkvm_host_share_guest), one per page (force_pte under pKVM until 6.16); a permission
 * fault -> pkvm_pgtable_stage2_relax_perms -> kvm_call_hyp_nvhe(__pkvm_host_relax_perms_guest). The
 * profile's hypercall figure (estimate), at most s2Fault: the pkvm s2Fault estimate (~7 us) already
 * includes "asks the hypervisor to map it (a hypercall ...)", so this part is moved from the trap
 * (Guest.s2TrapNs = s2Fault - this) into the hold, not added. 0 off pKVM: the host maps its own table.
 */
export function mapHvcNs(hw: HardwareProfile, c: Float64Array): number {
  return hw.pkvm ? Math.min(c[C_HYPERCALL], c[C_S2_FAULT]) : 0;
}
