/**
 * Per-guest records besides the counters (part of the simulation's layout, sim/simLayout.ts, which
 * re-exports this file): the virtual MMU lock's hold rings (kvm->mmu_lock in virtual time, sync/vlock.ts),
 * its hold/wait histograms, and the operation-latency histogram (sim/opHist.ts).
 *
 * vlocks: Float64Array(guests * VL_WORDS): virtual reservations of guest g's MMU lock (owner).
 * lockHist: Float64Array(guests * LH_WORDS), opHist: Float64Array(guests * OH_WORDS) (owner).
 */

// Virtual MMU-lock holds (vlock.ts): two rings, the last VL_RING write holds and the last VL_RING read
// holds, each entry [arrival, start, end, kind] in ns (kind: bit 0 write, bit 1 aging/harvest); per ring
// its next slot and the latest end recorded in it.
export const VL_W_NEXT = 0;
export const VL_W_MAX_END = 1;
export const VL_R_NEXT = 2;
export const VL_R_MAX_END = 3;
export const VL_RING = 256;
export const VL_W_RING = 8;
export const VL_R_RING = VL_W_RING + VL_RING * 4;
export const VL_WORDS = VL_R_RING + VL_RING * 4;

// Lock hold/wait histograms per guest (vlock.ts): four kinds x LH_BUCKETS log2 buckets (ns).
export const LH_READ_WAIT = 0;
export const LH_WRITE_WAIT = 1;
export const LH_READ_HOLD = 2;
export const LH_WRITE_HOLD = 3;
export const LH_BUCKETS = 48;
export const LH_WORDS = 4 * LH_BUCKETS;

// Operation latency histogram per guest (opHist.ts): log-linear buckets.
export const OH_SUB = 64; //             linear sub-buckets per power of two
export const OH_EXP = 40; //             powers of two covered (up to ~1100 s)
export const OH_WORDS = OH_SUB * OH_EXP;
