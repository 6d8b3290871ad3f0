/**
 * The vCPUs' translation caches of one guest (worker-local: a guest's vCPUs all run on its owner
 * worker), and what a VM-wide flush does to them.
 *
 * Tlbs: per-vCPU TLBs, direct-mapped, `entries` slots per vCPU, all in one Int32Array (only when
 * reclaim.tlb.enabled). Entry = (gfn << 1 | writable) + 1, 0 = empty. A TLB hit skips the stage-2
 * walk and therefore sets no AF: clearing AF without a TLB flush (reclaim.tlb.flushOnClear = false)
 * makes hot pages look cold — the real effect DESIGN.md asks for. Unmap always invalidates
 * (break-before-make).
 *
 * VmTlbFlush also counts the stage-1-only flushes of the unmap path: __kvm_tlb_flush_vmid_ipa (called
 * for each leaf kvm_unmap_gfn_range removes) invalidates the IPA at stage 2 and then, lacking the VA,
 * "the whole of Stage-1" (TLBI IPAS2E1IS, DSB ISH, TLBI VMALLE1IS, DSB ISH): every vCPU of the VM loses
 * its stage-1 and combined entries but keeps its stage-2 ones, so its next translation re-walks the
 * guest's stage-1 (GUEST_S1_LEVELS references, their IPAs translated by the surviving stage-2 entries).
 *
 * VmTlbFlush: kvm_flush_remote_tlbs on arm64 is __kvm_tlb_flush_vmid, TLBI VMALLS12E1IS + DSB ISH:
 * every PE drops every stage-1 and stage-2 entry of the VMID, walk caches included. The flusher pays
 * `tlbFlushVmid` (kvm/mmuNotifier.ts); every vCPU of the VM — and no other VM's — then pays on its
 * next translation: its TLB is empty and its next walk is a full two-dimensional walk. This is a
 * generation count (O(1) per flush): a flush bumps the VM's generation, and a vCPU whose last seen
 * generation is older refills on its next access (VCpu.run calls `refill`). With the TLB model off
 * every access already walks, at the blended `walkLevel` cost (walk caches mostly hitting); the
 * refill's extra walk is charged either way, because the flush empties the walk caches too.
 */

/**
 * Memory references of a two-dimensional walk with cold walk caches: a guest stage-1 walk of
 * G_LEVELS levels, each of its table addresses (and the final IPA) translated by a stage-2 walk of
 * S2 levels: (G + 1) * (S2 + 1) - 1 (Arm ARM, "two-stage translation"; Bhargava et al., ASPLOS 2008
 * for the same count on x86 nested paging). The guest's own stage-1 tables are not simulated: the
 * lab's normal walk (VCpu.walkNs) is the stage-2 walk only, stage-1 assumed cached.
 */
export const GUEST_S1_LEVELS = 4; // 4 KiB granule, 48-bit guest VA (the KVM selftests' default mode)

/** Extra memory references after a stage-1-only flush (VMALLE1IS): the guest's stage-1 walk again. */
export const STAGE1_REFILL_REFS = GUEST_S1_LEVELS;

/** Extra memory references of a refill after a VM-wide flush, over the lab's normal (stage-2) walk. */
export function refillExtraRefs(s2Levels: number): number {
  return (GUEST_S1_LEVELS + 1) * (s2Levels + 1) - 1 - s2Levels;
}

export class Tlbs {
  readonly e: Int32Array;
  /**
   * Spread runs: the shared backing seen as doubles (two entries each), for clearVcpu; null when `e` is
   * this object's own array (or a vCPU's entries do not start on 8 bytes). Why: TypedArray.prototype.fill on
   * a SharedArrayBuffer is a call into V8's C++ runtime that stores element by element (Node 20; on a private
   * array it is a memset), so filling 128 doubles instead of 256 Int32 entries halves its loop: callgrind
   * 1,023 against 1,278 instructions a call, thread CPU ~55 against ~125 ns (/tmp microbenchmarks, session
   * 18 g; a JS loop of 128 double stores took 2,598 instructions). A double +0 is eight zero bytes: the same
   * words end zero.
   */
  private readonly z: Float64Array | null;

  constructor(
    readonly vcpus: number,
    readonly entries: number,
    /** Spread runs (sim/spread.ts): a shared array of vcpus * entries, the guest's vCPUs being on several workers. */
    backing?: Int32Array,
  ) {
    this.e = backing ?? new Int32Array(vcpus * entries);
    this.z =
      backing !== undefined && entries % 2 === 0 && backing.byteOffset % 8 === 0
        ? new Float64Array(backing.buffer, backing.byteOffset, (vcpus * entries) >> 1)
        : null;
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

  /** Drop every entry of vCPU `v` (its share of a VMID-wide invalidate, applied lazily). */
  clearVcpu(v: number): void {
    const z = this.z;
    if (z === null) {
      this.e.fill(0, v * this.entries, (v + 1) * this.entries);
      return;
    }
    // The same zeros through the double view (see z): half the elements for fill's per-element loop.
    const n = this.entries >> 1;
    z.fill(0, v * n, v * n + n);
  }
}

/** What a vCPU must refill before its next translation (VmTlbFlush.refill). */
export const REFILL_NONE = 0;
/** A stage-1-only flush since its last translation (the unmap path's VMALLE1IS). */
export const REFILL_STAGE1 = 1;
/** A VM-wide flush (VMALLS12E1IS) since its last translation: a full two-dimensional walk. */
export const REFILL_FULL = 2;

/**
 * What a vCPU that last translated under flush generations (seenGen, seenS1) must refill now that the
 * VM is at (gen, s1gen): REFILL_FULL after a VM-wide flush, REFILL_STAGE1 after a stage-1-only one, else
 * REFILL_NONE. The one definition behind VmTlbFlush.refill and the trace replay's own copy of its
 * bookkeeping (sim/replay.ts).
 */
export function refillKind(gen: number, seenGen: number, s1gen: number, seenS1: number): number {
  return gen !== seenGen ? REFILL_FULL : s1gen !== seenS1 ? REFILL_STAGE1 : REFILL_NONE;
}

/** One VM's flush generations (kvm_flush_remote_tlbs; the unmap path's stage-1 flush) and the vCPUs' view. */
export class VmTlbFlush {
  /**
   * [VM-wide flushes, stage-1-only flushes] so far, bumped by the flusher inside its write-lock hold.
   * Spread runs pass a SharedArrayBuffer view, so vCPUs on every worker see the flushes reclaim makes
   * on worker 0. Contract: one writer (reclaim, worker 0); readers may see a count a little late (a
   * plain aligned Int32 read never tears), which delays that vCPU's refill by at most its step.
   */
  private readonly gens: Int32Array;
  /** The generations each vCPU last translated under. */
  private readonly seen: Int32Array;
  private readonly seenS1: Int32Array;

  constructor(
    vcpus: number,
    /** The vCPUs' TLBs, or null when the TLB model is off (then only the walk cost applies). */
    private readonly tlbs: Tlbs | null,
    gens: Int32Array = new Int32Array(2),
  ) {
    this.gens = gens;
    this.seen = new Int32Array(vcpus);
    this.seenS1 = new Int32Array(vcpus);
  }

  /** __kvm_tlb_flush_vmid: every vCPU of this VM loses its cached translations. O(1). */
  flush(): void {
    this.gens[0]++;
  }

  /** VM-wide flushes so far. */
  get gen(): number {
    return this.gens[0];
  }

  /** Stage-1-only flushes so far. */
  get s1gen(): number {
    return this.gens[1];
  }

  /** TLBI VMALLE1IS (__kvm_tlb_flush_vmid_ipa): every vCPU loses its stage-1 and combined entries. O(1). */
  flushStage1(): void {
    this.gens[1]++;
  }

  /**
   * What vCPU `v` must refill before its next translation (REFILL_*); it is then marked current and,
   * when anything was flushed, its TLB entries (combined stage-1+2 translations) are dropped. The
   * caller charges the refill walk.
   */
  refill(v: number): number {
    const gen = this.gens[0];
    const s1gen = this.gens[1];
    const seen = this.seen;
    const seenS1 = this.seenS1;
    const tlbs = this.tlbs;
    const kind = refillKind(gen, seen[v], s1gen, seenS1[v]);
    // Stored on every call (the same values when nothing was flushed): a store or load first reached
    // at the first flush has no type feedback when the hot loop was compiled before it (a trace
    // replay's first eviction), and deoptimized the caller (TraceReplay.steps, which inlines this).
    seen[v] = gen;
    seenS1[v] = s1gen;
    if (kind === REFILL_NONE) return REFILL_NONE;
    if (tlbs !== null) tlbs.clearVcpu(v);
    return kind;
  }

  /**
   * The generations array ([VM-wide, stage-1-only] flushes so far), for a lone vCPU that does refill's
   * bookkeeping in its own fields (the trace replay, sim/replay.ts): read only, never written through.
   */
  generations(): Int32Array {
    return this.gens;
  }

  /** The generations vCPU `v` last translated under ([VM-wide, stage-1-only]). */
  seenBy(v: number): [number, number] {
    return [this.seen[v], this.seenS1[v]];
  }

  /**
   * Marks vCPU `v` current at generations (gen, s1gen), as refill does, for a vCPU that kept them in
   * its own fields since (the replay's flush). Only with no TLB model (nothing to drop).
   */
  markSeen(v: number, gen: number, s1gen: number): void {
    this.seen[v] = gen;
    this.seenS1[v] = s1gen;
  }

  /** Whether vCPU `v` has a VM-wide flush not yet seen (tests). */
  pending(v: number): boolean {
    return this.seen[v] !== this.gens[0];
  }
}
