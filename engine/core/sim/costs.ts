/**
 * The cost model: every virtual nanosecond the simulation charges comes from the hardware
 * profile's `costs` (CostKey in protocol.ts). Copied once into a Float64Array indexed by the
 * C_* constants so the hot path reads `costs[C_WALK_LEVEL]` instead of a string-keyed object.
 */
import { COST_KEYS, type CostKey, type HardwareProfile } from '../../protocol.ts';

const index = (k: CostKey): number => COST_KEYS.indexOf(k);

export const C_MEM_ACCESS = index('memAccess');
export const C_WALK_LEVEL = index('walkLevel');
export const C_HW_AF_UPDATE = index('hwAfUpdate');
export const C_AF_FAULT = index('afFault');
export const C_S2_FAULT = index('s2Fault');
export const C_HYPERCALL = index('hypercall');
export const C_LOCK_ACQUIRE = index('lockAcquire');
export const C_TLB_INVALIDATE = index('tlbInvalidate');
export const C_PTE_SCAN = index('pteScan');
export const C_CMPXCHG = index('cmpxchg');
export const C_SWAP_IN = index('swapIn');
export const C_SWAP_OUT = index('swapOut');
export const C_RCU_GRACE_PERIOD = index('rcuGracePeriod');
export const C_TLB_FLUSH_VMID = index('tlbFlushVmid');
export const C_DCACHE_CLEAN_INVAL = index('dcacheCleanInval');
export const C_VCPU_REQUEST = index('vcpuRequest');
export const C_IPI_SEND = index('ipiSend');
export const C_IPI_ACK = index('ipiAck');
export const C_KICK_EXIT = index('kickExit');

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
