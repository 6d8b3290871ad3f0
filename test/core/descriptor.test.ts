import { describe, it, expect } from 'vitest';
import {
  HI_DBM,
  HI_SW_MASK,
  HI_XN,
  KVM_INVALID_PTE_LOCKED,
  PTE_TYPE,
  PTE_VALID,
  S2AP_R,
  S2AP_W,
  S2_AF,
  S2_MEMATTR_MASK,
  S2_SH_MASK,
  decode64,
  encode64,
  leafAttrs,
  makeLeaf,
  makeTable,
  pteDbm,
  pteIsBlock,
  pteIsLeaf,
  pteIsLocked,
  pteIsTable,
  pteMemAttr,
  pteOaFrame,
  ptePage,
  pteSh,
  pteSw,
  pteValid,
  pteWritable,
  pteXn,
  pteYoung,
  type Pte,
} from '../../engine/core/arch/descriptor.ts';

const bit = (n: number): bigint => 1n << BigInt(n);
const field = (d: bigint, hi: number, lo: number): number =>
  Number((d >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));
const d64 = (p: Pte): bigint => encode64(p.lo, p.hi);

describe('descriptor bit layout (checked against the arm64 stage-2 format via BigInt)', () => {
  it('places each lo/hi constant at its architectural bit', () => {
    const cases: [string, bigint, bigint][] = [
      ['valid', encode64(PTE_VALID, 0), bit(0)],
      ['type', encode64(PTE_TYPE, 0), bit(1)],
      ['MemAttr', encode64(S2_MEMATTR_MASK, 0), 0xfn << 2n],
      ['S2AP R', encode64(S2AP_R, 0), bit(6)],
      ['S2AP W', encode64(S2AP_W, 0), bit(7)],
      ['SH', encode64(S2_SH_MASK, 0), 3n << 8n],
      ['AF', encode64(S2_AF, 0), bit(10)],
      ['DBM', encode64(0, HI_DBM), bit(51)],
      ['XN', encode64(0, HI_XN), bit(54)],
      ['SW', encode64(0, HI_SW_MASK), 0xfn << 55n],
      ['LOCKED', encode64(KVM_INVALID_PTE_LOCKED, 0), bit(10)],
    ];
    for (const [name, got, want] of cases) expect(got, name).toBe(want);
  });

  it('encodes every attribute of a leaf in its field', () => {
    const a = leafAttrs({ read: true, write: false, young: true, memAttr: 0x5, sh: 2, xn: true, dbm: true, sw: 0xa });
    const frame = 0x9_8765_4321; // 36 bits: exercises OA bits above 31
    const d = d64(makeLeaf(frame, 3, a));
    expect(field(d, 0, 0)).toBe(1);
    expect(field(d, 1, 1)).toBe(1); // page at level 3
    expect(field(d, 5, 2)).toBe(0x5);
    expect(field(d, 6, 6)).toBe(1);
    expect(field(d, 7, 7)).toBe(0);
    expect(field(d, 9, 8)).toBe(2);
    expect(field(d, 10, 10)).toBe(1);
    expect(field(d, 11, 11)).toBe(0);
    expect(field(d, 47, 12)).toBe(frame);
    expect(field(d, 50, 48)).toBe(0);
    expect(field(d, 51, 51)).toBe(1);
    expect(field(d, 53, 52)).toBe(0);
    expect(field(d, 54, 54)).toBe(1);
    expect(field(d, 58, 55)).toBe(0xa);
    expect(field(d, 63, 59)).toBe(0);
  });

  it('walks a single set bit through every attribute position and reads it back', () => {
    for (let b = 0; b < 64; b++) {
      const { lo, hi } = decode64(bit(b));
      expect(pteValid(lo)).toBe(b === 0);
      expect(pteYoung(lo)).toBe(b === 10);
      expect(pteWritable(lo)).toBe(b === 7);
      expect(pteXn(hi)).toBe(b === 54);
      expect(pteDbm(hi)).toBe(b === 51);
      expect(pteSw(hi)).toBe(b >= 55 && b <= 58 ? 1 << (b - 55) : 0);
      expect(pteMemAttr(lo)).toBe(b >= 2 && b <= 5 ? 1 << (b - 2) : 0);
      expect(pteSh(lo)).toBe(b === 8 || b === 9 ? 1 << (b - 8) : 0);
      expect(pteOaFrame(lo, hi)).toBe(b >= 12 && b <= 47 ? 2 ** (b - 12) : 0);
    }
  });

  it('distinguishes table, page, block and the LOCKED marker by level', () => {
    const t = makeTable(0x3ffff);
    expect(d64({ lo: t, hi: 0 })).toBe((0x3ffffn << 12n) | 3n);
    expect(ptePage(t)).toBe(0x3ffff);
    for (const level of [0, 1, 2]) expect(pteIsTable(t, level)).toBe(true);
    expect(pteIsTable(t, 3)).toBe(false); // bits 0b11 at L3 are a page
    expect(pteIsLeaf(t, 3)).toBe(true);
    const a = leafAttrs();
    const block2 = makeLeaf(512 * 7, 2, a);
    expect(field(d64(block2), 1, 0)).toBe(0b01);
    expect(pteIsBlock(block2.lo, 2)).toBe(true);
    expect(pteIsTable(block2.lo, 2)).toBe(false);
    expect(pteIsLeaf(block2.lo, 2)).toBe(true);
    const block1 = makeLeaf(2 ** 18 * 3, 1, a);
    expect(pteIsBlock(block1.lo, 1)).toBe(true);
    expect(pteOaFrame(block1.lo, block1.hi)).toBe(2 ** 18 * 3);
    expect(pteIsLocked(KVM_INVALID_PTE_LOCKED)).toBe(true);
    expect(pteValid(KVM_INVALID_PTE_LOCKED)).toBe(false);
    expect(pteIsLocked(KVM_INVALID_PTE_LOCKED | 1)).toBe(false); // a valid young leaf is not locked
    expect(pteIsLocked(0)).toBe(false);
  });

  it('rejects misaligned blocks, bad levels and frames beyond 36 bits', () => {
    const a = leafAttrs();
    expect(() => makeLeaf(513, 2, a)).toThrow(RangeError);
    expect(() => makeLeaf(512, 1, a)).toThrow(RangeError);
    expect(() => makeLeaf(0, 0, a)).toThrow(RangeError);
    expect(() => makeLeaf(2 ** 36, 3, a)).toThrow(RangeError);
  });
});

describe('round trips', () => {
  it('encode64/decode64 and makeLeaf/pteOaFrame round-trip over seeded random values', () => {
    let s = 12345;
    const rnd = (): number => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 2000; i++) {
      const lo = (rnd() * 2 ** 32) | 0;
      const hi = (rnd() * 2 ** 32) | 0;
      const d = encode64(lo, hi);
      expect(decode64(d)).toEqual({ lo, hi });
      const frame = Math.floor(rnd() * 2 ** 36);
      const attrs = leafAttrs({ write: rnd() < 0.5, young: rnd() < 0.5, sw: Math.floor(rnd() * 16) });
      const leaf = makeLeaf(frame, 3, attrs);
      expect(pteOaFrame(leaf.lo, leaf.hi)).toBe(frame);
      expect(field(encode64(leaf.lo, leaf.hi), 47, 12)).toBe(frame);
      expect(leaf.lo & 0xffc).toBe(attrs.lo);
    }
  });
});
