/**
 * Bits of translate()'s result (sim/vcpu.ts), in a module that imports nothing so that the Node bundles
 * (scripts/workers.mjs, minifySyntax) inline them. 0: a valid leaf with AF set and the access allowed.
 */
export const TX_MISS = 1; //     no valid leaf: a stage-2 fault
export const TX_AF_FAULT = 2; // AF clear and no FEAT_HAFDBS: an access-flag fault, the caller's to take
export const TX_HW_AF = 4; //    AF clear: the hardware set it by cmpxchg ...
export const TX_CAS_FAIL = 8; // ... and that cmpxchg lost a race (an ager or an unmapper changed the PTE)
export const TX_PERM = 16; //    a write to a read-only leaf: a permission fault, the caller's to take
export const TX_WRITABLE = 32; // the leaf allowed writes (S2AP W) when read
