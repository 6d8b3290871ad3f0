/**
 * arm64 stage-2 descriptor codec (4 KiB granule), on (lo, hi) Int32 word pairs.
 *
 * A 64-bit descriptor lives at two consecutive Int32 words of the arena
 * (`layout.descriptorWord`): lo = bits 0..31, hi = bits 32..63. Real layout:
 *
 *   bit 0 valid | bit 1 type (table at L0-2 / page at L3 when set; block at L1-2 when clear)
 *   MemAttr [5:2] | S2AP R 6, W 7 | SH [9:8] | AF 10 | OA [47:12] (lo 31:12, hi 15:0)
 *   DBM 51 (hi 19) | XN 54 (hi 22) | SW [58:55] (hi 26:23)
 *
 * Every bit that changes while a descriptor is live (valid, AF, S2AP) is in lo,
 * so a 32-bit compareExchange on lo is the kernel's cmpxchg. hi is written only
 * while lo is invalid (break-before-make); readers use lo, hi, re-read lo.
 *
 * API (stable):
 *   constants PTE_VALID, PTE_TYPE, S2_MEMATTR_*, S2AP_R, S2AP_W, S2_SH_*, S2_AF, HI_DBM, HI_XN, HI_SW_*,
 *             KVM_INVALID_PTE_LOCKED, LEAF_ATTR_LO_MASK, LEAF_ATTR_HI_MASK, LEVEL_GFN_SHIFT, MAX_LEVEL
 *   pteValid(lo), pteIsLocked(lo), pteIsTable(lo, level), pteIsLeaf(lo, level), pteIsBlock(lo, level),
 *   pteYoung(lo), pteReadable(lo), pteWritable(lo), pteMemAttr(lo), pteSh(lo), pteXn(hi), pteDbm(hi), pteSw(hi),
 *   pteOaFrame(lo, hi), ptePage(lo), levelGfns(level)
 *   makeLeafLo(frame, level, attrLo), makeLeafHi(frame, attrHi), makeLeaf(frame, level, attrs): Pte,
 *   makeTable(page): lo (hi of a table descriptor is always 0), leafAttrs(opts): LeafAttrs
 *   encode64(lo, hi): bigint, decode64(d): Pte            (tests only: BigInt is slow)
 */

/** A descriptor as its two Int32 words. */
export interface Pte {
  lo: number;
  hi: number;
}

/** Leaf attributes split by word: lo holds bits of LEAF_ATTR_LO_MASK, hi bits of LEAF_ATTR_HI_MASK. */
export interface LeafAttrs {
  lo: number;
  hi: number;
}

// ---- lo word ------------------------------------------------------------------
export const PTE_VALID = 1 << 0;
export const PTE_TYPE = 1 << 1;
export const S2_MEMATTR_SHIFT = 2;
export const S2_MEMATTR_MASK = 0xf << 2;
/** MemAttr values (kernel MT_S2_*): Normal write-back, Device-nGnRE. */
export const S2_MEMATTR_NORMAL = 0xf;
export const S2_MEMATTR_DEVICE = 0x1;
export const S2AP_R = 1 << 6;
export const S2AP_W = 1 << 7;
export const S2_SH_SHIFT = 8;
export const S2_SH_MASK = 3 << 8;
export const S2_SH_IS = 3;
export const S2_AF = 1 << 10;
/** OA bits [31:12] of the descriptor, i.e. frame bits 0..19. */
export const OA_LO_MASK = ~0xfff;
/** Leaf attribute bits in lo: KVM_PTE_LEAF_ATTR_LO = GENMASK(11, 2). */
export const LEAF_ATTR_LO_MASK = 0xffc;

// ---- hi word (descriptor bit n is hi bit n - 32) ---------------------------------
/** OA bits [47:32] = frame bits 20..35. */
export const OA_HI_MASK = 0xffff;
export const HI_DBM = 1 << (51 - 32);
export const HI_XN = 1 << (54 - 32);
export const HI_SW_SHIFT = 55 - 32;
export const HI_SW_MASK = 0xf << HI_SW_SHIFT;
/** KVM_PTE_LEAF_ATTR_HI = GENMASK(63, 51). */
export const LEAF_ATTR_HI_MASK = ~0 << (51 - 32);

/** Invalid marker of a descriptor under break-before-make: AF bit with valid = 0. */
export const KVM_INVALID_PTE_LOCKED = 1 << 10;

export const MAX_LEVEL = 3;
/** log2 of the guest frames one entry maps at each level: 512 GiB, 1 GiB, 2 MiB, 4 KiB. */
export const LEVEL_GFN_SHIFT: readonly number[] = [27, 18, 9, 0];
/** Largest frame number an OA can hold (36 bits). */
export const MAX_FRAME = 2 ** 36 - 1;

const TWO20 = 2 ** 20;

export const pteValid = (lo: number): boolean => (lo & PTE_VALID) !== 0;
/** kvm_pte_locked(): invalid and carrying the LOCKED marker; a writer is mid break-before-make. */
export const pteIsLocked = (lo: number): boolean =>
  (lo & (PTE_VALID | KVM_INVALID_PTE_LOCKED)) === KVM_INVALID_PTE_LOCKED;
export const pteIsTable = (lo: number, level: number): boolean => level < MAX_LEVEL && (lo & 3) === 3;
/** Valid and not a table: a page (L3) or a block (L1/L2). */
export const pteIsLeaf = (lo: number, level: number): boolean => (lo & PTE_VALID) !== 0 && !pteIsTable(lo, level);
export const pteIsBlock = (lo: number, level: number): boolean => (level === 1 || level === 2) && (lo & 3) === 1;
export const pteYoung = (lo: number): boolean => (lo & S2_AF) !== 0;
export const pteReadable = (lo: number): boolean => (lo & S2AP_R) !== 0;
export const pteWritable = (lo: number): boolean => (lo & S2AP_W) !== 0;
export const pteMemAttr = (lo: number): number => (lo & S2_MEMATTR_MASK) >>> S2_MEMATTR_SHIFT;
export const pteSh = (lo: number): number => (lo & S2_SH_MASK) >>> S2_SH_SHIFT;
export const pteXn = (hi: number): boolean => (hi & HI_XN) !== 0;
export const pteDbm = (hi: number): boolean => (hi & HI_DBM) !== 0;
export const pteSw = (hi: number): number => (hi & HI_SW_MASK) >>> HI_SW_SHIFT;
/** Output address >> 12: the host frame of a leaf (first frame of a block). */
export const pteOaFrame = (lo: number, hi: number): number => (lo >>> 12) + (hi & OA_HI_MASK) * TWO20;
/** Table page index of a table descriptor (tables always fit in lo: page < 2^20). */
export const ptePage = (lo: number): number => lo >>> 12;
/** Guest frames mapped by one entry at `level`. */
export const levelGfns = (level: number): number => 2 ** LEVEL_GFN_SHIFT[level];

function checkLeaf(frame: number, level: number): void {
  if (level < 1 || level > MAX_LEVEL || !Number.isInteger(level)) throw new RangeError(`no leaf at level ${level}`);
  if (!Number.isInteger(frame) || frame < 0 || frame > MAX_FRAME)
    throw new RangeError(`frame ${frame} out of OA range`);
  if (frame % levelGfns(level) !== 0) throw new RangeError(`frame ${frame} not aligned for a level-${level} block`);
}

/** Low word of a leaf: OA[31:12], type (page at L3, block at L1/L2), valid, and attribute bits of attrLo. */
export function makeLeafLo(frame: number, level: number, attrLo: number): number {
  return ((frame & 0xfffff) << 12) | (attrLo & LEAF_ATTR_LO_MASK) | (level === MAX_LEVEL ? 3 : 1);
}

/** High word of a leaf: OA[47:32] and attribute bits of attrHi. */
export function makeLeafHi(frame: number, attrHi: number): number {
  // frame >>> 20 is frame / 2^20 truncated for a frame below 2^32 (every frame of a host below 16 TiB),
  // without the double division (on each fault's map).
  const top = frame >= 0 && frame <= 0xffff_ffff ? frame >>> 20 : frame / TWO20;
  return (top & OA_HI_MASK) | (attrHi & LEAF_ATTR_HI_MASK);
}

/** A leaf descriptor mapping host `frame` (block-aligned at L1/L2). Throws on a bad level or frame. */
export function makeLeaf(frame: number, level: number, attrs: LeafAttrs): Pte {
  checkLeaf(frame, level);
  return { lo: makeLeafLo(frame, level, attrs.lo), hi: makeLeafHi(frame, attrs.hi) };
}

/** Low word of a table descriptor pointing at arena table page `page`; its high word is 0. */
export function makeTable(page: number): number {
  return (page << 12) | 3;
}

export interface LeafAttrOptions {
  read?: boolean; // default true
  write?: boolean; // default true
  young?: boolean; // AF; default true (KVM maps with AF set; CLOCK validation maps old)
  memAttr?: number; // default S2_MEMATTR_NORMAL
  sh?: number; // default S2_SH_IS
  xn?: boolean;
  dbm?: boolean;
  sw?: number; // 0..15
}

/** Build leaf attributes from named options. */
export function leafAttrs(o: LeafAttrOptions = {}): LeafAttrs {
  let lo = ((o.memAttr ?? S2_MEMATTR_NORMAL) << S2_MEMATTR_SHIFT) | ((o.sh ?? S2_SH_IS) << S2_SH_SHIFT);
  if (o.read ?? true) lo |= S2AP_R;
  if (o.write ?? true) lo |= S2AP_W;
  if (o.young ?? true) lo |= S2_AF;
  let hi = ((o.sw ?? 0) << HI_SW_SHIFT) & HI_SW_MASK;
  if (o.xn) hi |= HI_XN;
  if (o.dbm) hi |= HI_DBM;
  return { lo: lo & LEAF_ATTR_LO_MASK, hi };
}

/** The 64-bit descriptor as a BigInt (tests). */
export function encode64(lo: number, hi: number): bigint {
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

/** Split a 64-bit descriptor into its Int32 words (tests). */
export function decode64(d: bigint): Pte {
  return { lo: Number(BigInt.asIntN(32, d)), hi: Number(BigInt.asIntN(32, d >> 32n)) };
}
