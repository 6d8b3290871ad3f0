/**
 * The byte scanners (fastText.ts) and the typed-array id table (idTable.ts) against a slow reference
 * (a Map over the decimal strings, ids in order of first appearance), including inputs that must
 * fall back to the line-by-line parser (spaces, 16+ digit ids, CRLF, no final newline, bad lines).
 */
import { describe, expect, it } from 'vitest';
import { parseCsvTrace, parseTxtTrace, TraceFormatError } from '../../engine/core/trace/index.ts';
import { scanCsv, scanTxt } from '../../engine/core/trace/fastText.ts';
import { IdTable } from '../../engine/core/trace/idTable.ts';
import { rng as makeRng } from '../rng.ts';

function reference(ids: string[]): number[] {
  const m = new Map<string, number>();
  return ids.map((s) => {
    const k = BigInt(s).toString();
    if (!m.has(k)) m.set(k, m.size);
    return m.get(k) as number;
  });
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('fast text scanners and the id table', () => {
  it('give the reference ids on random traces (txt and csv, LF and CRLF, with and without a final newline)', () => {
    const rng = makeRng(7);
    for (let round = 0; round < 40; round++) {
      const pool = Array.from(
        { length: 1 + Math.floor(rng() * 300) },
        () => String(Math.floor(rng() * (rng() < 0.5 ? 1000 : 2 ** 49))), // ≤ 15 digits: the fast path
      );
      const ids = Array.from({ length: 1 + Math.floor(rng() * 2000) }, () => pool[Math.floor(rng() * pool.length)]);
      const eol = rng() < 0.5 ? '\n' : '\r\n';
      const tail = rng() < 0.5 ? eol : '';
      const txt = ids.join(eol) + tail;
      const csv = `version,time,op,size,lbn${eol}` + ids.map((id, i) => `1,${i},r,4096,${id}`).join(eol) + tail;
      const want = reference(ids);
      expect(scanTxt(bytes(txt))).not.toBeNull();
      expect(scanCsv(bytes(csv), 'version,time,op,size,lbn')).not.toBeNull();
      expect([...parseTxtTrace(bytes(txt), 'r.txt', 'r').pageIds]).toEqual(want);
      expect([...parseCsvTrace(bytes(csv), 'r.csv', 'r').pageIds]).toEqual(want);
    }
  });

  it('fall back to the line parser for anything unusual, with the same ids or the same errors', () => {
    // Leading zeros stay on the fast path: '00012' is object 12, as keyOfDecimal says.
    expect([...(scanTxt(bytes('00012\n12\n7\n')) as NonNullable<ReturnType<typeof scanTxt>>).pageIds()]).toEqual([
      0, 0, 1,
    ]);
    const cases = [
      ' 12\n13\n12\n',
      '12 \n13\n',
      '1234567890123456789\n12\n1234567890123456789\n',
      '4503599627370496\n1\n',
    ];
    for (const c of cases) {
      expect(scanTxt(bytes(c))).toBeNull();
      const ids = c
        .trim()
        .split('\n')
        .map((s) => s.trim());
      expect([...parseTxtTrace(bytes(c), 'f.txt', 'f').pageIds]).toEqual(reference(ids));
    }
    expect(scanTxt(bytes('12\n\n13\n'))).toBeNull();
    expect(() => parseTxtTrace(bytes('12\n\n13\n'), 'b.txt', 'b')).toThrow(/b.txt: line 2: empty line/);
    expect(() => parseTxtTrace(bytes('12\n-3\n'), 'b.txt', 'b')).toThrow(TraceFormatError);
    expect(() => parseTxtTrace(bytes(''), 'e.txt', 'e')).toThrow(/empty trace/);
    expect(scanCsv(bytes('version,time,op,size,lbn\n1,2,3,4\n'), 'version,time,op,size,lbn')).toBeNull();
    expect(() => parseCsvTrace(bytes('version,time,op,size,lbn\n1,2,3,4\n'), 'b.csv', 'b')).toThrow(
      /expected 5 fields/,
    );
  });

  it('IdTable keeps first-inserted ids across growth, for small and 2^52-scale keys', () => {
    const rng = makeRng(3);
    const t = new IdTable();
    const m = new Map<number, number>();
    for (let i = 0; i < 50_000; i++) {
      const k = Math.floor(rng() * (i % 2 ? 5000 : 2 ** 52));
      const fresh = m.size;
      const want = m.get(k) ?? fresh;
      expect(t.getOrInsert(k, fresh)).toBe(want);
      if (want === fresh) m.set(k, fresh);
    }
  });
});
