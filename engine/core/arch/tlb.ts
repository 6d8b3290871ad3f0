/**
 * Per-vCPU TLBs of one guest: direct-mapped, `entries` slots per vCPU, all in one Int32Array
 * (worker-local: a guest's vCPUs all run on its owner worker).
 *
 * Entry = (gfn << 1 | writable) + 1, 0 = empty. A TLB hit skips the stage-2 walk and therefore
 * sets no AF: clearing AF without a TLB flush (reclaim.tlb.flushOnClear = false) makes hot pages
 * look cold — the real effect DESIGN.md asks for. Unmap always invalidates (break-before-make).
 */
export class Tlbs {
  readonly e: Int32Array;

  constructor(
    readonly vcpus: number,
    readonly entries: number,
    /** Spread runs (sim/spread.ts): a shared array of vcpus * entries, the guest's vCPUs being on several workers. */
    backing?: Int32Array,
  ) {
    this.e = backing ?? new Int32Array(vcpus * entries);
  }

  /** True if vCPU `v` holds a translation of `gfn` that allows this access. */
  lookup(v: number, gfn: number, write: boolean): boolean {
    const x = this.e[v * this.entries + (gfn % this.entries)];
    if (x === 0) return false;
    const tag = x - 1;
    return tag >>> 1 === gfn && (!write || (tag & 1) === 1);
  }

  insert(v: number, gfn: number, writable: boolean): void {
    this.e[v * this.entries + (gfn % this.entries)] = ((gfn << 1) | (writable ? 1 : 0)) + 1;
  }

  /** Invalidate `gfn` in every vCPU of the guest (a broadcast TLBI by IPA). */
  invalidate(gfn: number): void {
    const slot = gfn % this.entries;
    for (let v = 0; v < this.vcpus; v++) {
      const i = v * this.entries + slot;
      const x = this.e[i];
      if (x !== 0 && (x - 1) >>> 1 === gfn) this.e[i] = 0;
    }
  }
}
