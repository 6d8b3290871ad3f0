import { describe, expect, it } from 'vitest';
import { TraceFormatError, parseTrace } from '../../engine/core/trace/index.ts';

function bin(records: [number, bigint, number, bigint][]): Uint8Array {
  const out = new Uint8Array(records.length * 24);
  const v = new DataView(out.buffer);
  records.forEach(([t, id, size, next], i) => {
    v.setUint32(i * 24, t, true);
    v.setBigUint64(i * 24 + 4, id, true);
    v.setUint32(i * 24 + 12, size, true);
    v.setBigInt64(i * 24 + 16, next, true);
  });
  return out;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TraceFormatError);
    return e as Error;
  }
  throw new Error('expected a TraceFormatError');
}

describe('well-formed small traces', () => {
  it('txt: CRLF, trailing newline, leading zeros, ids beyond 2^53', () => {
    const t = parseTrace('s.txt', '7\r\n0007\r\n18446744073709551615\r\n9\r\n18446744073709551615\r\n');
    expect([...t.pageIds]).toEqual([0, 0, 1, 2, 1]);
    expect(t.distinct).toBe(3);
  });

  it('bin and txt agree on large u64 ids', () => {
    const b = parseTrace(
      's.bin',
      bin([
        [1, 2n ** 60n + 5n, 512, -1n],
        [1, 3n, 512, -1n],
        [2, 2n ** 60n + 5n, 512, -1n],
      ]),
    );
    const t = parseTrace('s.txt', `${2n ** 60n + 5n}\n3\n${2n ** 60n + 5n}`);
    expect([...b.pageIds]).toEqual([0, 1, 0]);
    expect([...t.pageIds]).toEqual([...b.pageIds]);
  });

  it('csv without a final newline', () => {
    const t = parseTrace('s.csv', 'version,time,op,size,lbn\n1,5,2a,512,10\n1,5,2a,512,11\n1,6,2a,512,10');
    expect([...t.pageIds]).toEqual([0, 1, 0]);
    expect(t.requests).toBe(3);
  });
});

describe('malformed traces give clear errors naming file, position and problem', () => {
  it.each([
    ['empty txt', 'e.txt', '', /e\.txt: empty trace/],
    ['empty csv (header only)', 'e.csv', 'version,time,op,size,lbn\n', /e\.csv: empty trace/],
    ['empty bin', 'e.bin', new Uint8Array(0), /e\.bin: empty trace/],
    ['non-numeric txt id', 'n.txt', '1\n2\nabc\n', /n\.txt: line 3: object id "abc" is not a non-negative integer/],
    ['negative txt id', 'n.txt', '-4\n', /n\.txt: line 1: object id "-4"/],
    ['blank line inside txt', 'b.txt', '1\n\n2\n', /b\.txt: line 2: empty line/],
    [
      'bad csv header',
      'h.csv',
      'time,lbn\n1,2\n',
      /h\.csv: line 1: expected header "version,time,op,size,lbn", got "time,lbn"/,
    ],
    [
      'csv field count',
      'f.csv',
      'version,time,op,size,lbn\n1,2,2a,512,7\n1,2,512,7\n',
      /f\.csv: line 3: expected 5 fields/,
    ],
    [
      'csv non-numeric lbn',
      'l.csv',
      'version,time,op,size,lbn\n1,2,2a,512,0x7\n',
      /l\.csv: line 2: lbn "0x7" is not a non-negative integer/,
    ],
    ['unknown extension', 'x.json', '1\n', /x\.json: unknown trace encoding/],
  ] as const)('%s', (_what, file, data, message) => {
    expect(errorOf(() => parseTrace(file, data)).message).toMatch(message);
  });

  it('bin with a truncated record names the record and the byte count', () => {
    const bytes = bin([
      [1, 1n, 512, -1n],
      [1, 2n, 512, -1n],
    ]).subarray(0, 40);
    expect(errorOf(() => parseTrace('t.oracleGeneral.bin', bytes)).message).toMatch(
      /t\.oracleGeneral\.bin: record 2 is truncated: 40 bytes is not a whole number of 24-byte records \(1 records \+ 16 bytes\)/,
    );
  });

  it('bin with an impossible next_access (another layout) is refused', () => {
    const bytes = bin([
      [1, 1n, 512, 2n],
      [1, 2n, 512, -7n],
    ]);
    expect(errorOf(() => parseTrace('w.bin', bytes)).message).toMatch(
      /w\.bin: record 2 \(byte 24\): next_access is negative/,
    );
  });

  it('a text file fed as .bin fails cleanly', () => {
    const bytes = new TextEncoder().encode('1\n2\n3\n');
    expect(errorOf(() => parseTrace('wrong.bin', bytes)).message).toMatch(/wrong\.bin: record 1 is truncated/);
  });
});
