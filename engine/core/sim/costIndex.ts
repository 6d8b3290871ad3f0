/**
 * The C_* indices of the cost table (costs.ts): the position of each CostKey in COST_KEYS (protocol.ts),
 * as literals in a module that imports nothing, so that the Node bundles (scripts/workers.mjs,
 * minifySyntax) inline them on the hot path instead of loading a module variable at every use.
 * test/sim/costIndex.test.ts checks each against COST_KEYS.indexOf.
 */
export const C_MEM_ACCESS = 0; // 'memAccess'
export const C_WALK_LEVEL = 1; // 'walkLevel'
export const C_HW_AF_UPDATE = 2; // 'hwAfUpdate'
export const C_AF_FAULT = 3; // 'afFault'
export const C_S2_FAULT = 4; // 's2Fault'
export const C_HYPERCALL = 5; // 'hypercall'
export const C_LOCK_ACQUIRE = 6; // 'lockAcquire'
export const C_TLB_INVALIDATE = 7; // 'tlbInvalidate'
export const C_PTE_SCAN = 8; // 'pteScan'
export const C_CMPXCHG = 9; // 'cmpxchg'
export const C_SWAP_IN = 10; // 'swapIn'
export const C_SWAP_OUT = 11; // 'swapOut'
export const C_RCU_GRACE_PERIOD = 12; // 'rcuGracePeriod'
export const C_TLB_FLUSH_VMID = 13; // 'tlbFlushVmid'
export const C_DCACHE_CLEAN_INVAL = 14; // 'dcacheCleanInval'
export const C_VCPU_REQUEST = 15; // 'vcpuRequest'
export const C_IPI_SEND = 16; // 'ipiSend'
export const C_IPI_ACK = 17; // 'ipiAck'
export const C_KICK_EXIT = 18; // 'kickExit'
