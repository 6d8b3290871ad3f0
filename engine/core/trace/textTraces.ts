/**
 * Text traces, parsed from bytes (ASCII) line by line, in chunks (a host may stream a large file):
 *  - .csv: header `version,time,op,size,lbn`, then one request per line; lbn is the object id;
 *  - .txt: one object id per line.
 * Lines may end in \n or \r\n; a final line without a newline counts; blank lines are errors except
 * at the very end. A UTF-8 byte order mark at the start of the file is skipped in both encodings.
 * Ids must be non-negative decimal integers that fit in u64.
 *
 * Bounded cost: a line longer than MAX_LINE_BYTES is refused before any string is built from it, so
 * the work per line is bounded and the whole parse is linear in the input size.
 */
import { DenseIds, MAX_ID_DIGITS } from './denseIds.ts';
import { TraceFormatError, type TraceData, type TraceParser } from './types.ts';

export const CSV_HEADER = 'version,time,op,size,lbn';
const CSV_FIELDS = 5;
/** No valid line comes near this (a CSV request line is under 100 bytes). */
export const MAX_LINE_BYTES = 4096;

function quote(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are shown escaped, never raw
  const safe = (s.length > 40 ? `${s.slice(0, 40)}…` : s).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return JSON.stringify(safe);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end)); // end - start <= MAX_LINE_BYTES
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;

/**
 * Splits chunks into lines (carrying a partial line over), calling `visit(bytes, start, end, lineNo)`
 * for each line's content (without its \n or \r\n); the bytes are valid only during the call.
 */
class LineSplitter {
  private carry = new Uint8Array(0);
  private lineNo = 0;
  private atStart = true;

  constructor(
    private readonly fileName: string,
    private readonly visit: (bytes: Uint8Array, start: number, end: number, lineNo: number) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let bytes = chunk;
    if (this.carry.length > 0) {
      bytes = new Uint8Array(this.carry.length + chunk.length);
      bytes.set(this.carry);
      bytes.set(chunk, this.carry.length);
      this.carry = new Uint8Array(0);
    }
    let start = 0;
    if (this.atStart) {
      if (bytes.length < 3 && [0xef, 0xbb, 0xbf].slice(0, bytes.length).every((b, i) => bytes[i] === b)) {
        this.carry = bytes.slice(); // maybe the start of a BOM: wait for more
        return;
      }
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
      this.atStart = false;
    }
    for (;;) {
      const nl = bytes.indexOf(0x0a, start);
      if (nl === -1) break;
      this.line(bytes, start, nl);
      start = nl + 1;
    }
    if (bytes.length - start > MAX_LINE_BYTES) this.tooLong(this.lineNo + 1);
    if (start < bytes.length) this.carry = bytes.slice(start);
  }

  end(): void {
    this.atStart = false;
    if (this.carry.length > 0) this.line(this.carry, 0, this.carry.length);
    this.carry = new Uint8Array(0);
  }

  private line(bytes: Uint8Array, start: number, end: number): void {
    this.lineNo++;
    const contentEnd = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    if (contentEnd - start > MAX_LINE_BYTES) this.tooLong(this.lineNo);
    this.visit(bytes, start, contentEnd, this.lineNo);
  }

  private tooLong(lineNo: number): never {
    throw new TraceFormatError(
      `${this.fileName}: line ${lineNo} is longer than ${MAX_LINE_BYTES} bytes; not a trace of object ids`,
    );
  }
}

function isBlank(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(b[i])) return false;
  return true;
}

/** Scratch for the id just read (u64 halves). */
let idLo = 0;
let idHi = 0;
const U64_MAX = (1n << 64n) - 1n;

/**
 * Reads the decimal id in bytes[start, end) (surrounding spaces allowed) into idLo/idHi without
 * building a string (the per-request hot path); on a malformed id, throws a TraceFormatError naming
 * the line. At most 20 significant digits are looked at arithmetically.
 */
function readId(b: Uint8Array, start: number, end: number, what: string, fileName: string, lineNo: number): void {
  let s = start;
  let e = end;
  while (s < e && isSpace(b[s])) s++;
  while (e > s && isSpace(b[e - 1])) e--;
  let v = 0;
  let ok = s < e;
  for (let i = s; i < e && ok; i++) {
    const d = b[i] - 0x30;
    if (d < 0 || d > 9) ok = false;
  }
  if (!ok)
    throw new TraceFormatError(
      `${fileName}: line ${lineNo}: ${what} ${quote(latin1(b, s, e))} is not a non-negative integer`,
    );
  while (s < e - 1 && b[s] === 0x30) s++; // leading zeros: 0042 is 42
  const digits = e - s;
  if (digits <= 15) {
    for (let i = s; i < e; i++) v = v * 10 + (b[i] - 0x30);
    idLo = v % 0x1_0000_0000;
    idHi = Math.floor(v / 0x1_0000_0000);
    return;
  }
  const text = latin1(b, s, e);
  if (digits > MAX_ID_DIGITS)
    throw new TraceFormatError(
      `${fileName}: line ${lineNo}: ${what} ${quote(text)} has ${digits} digits; object ids are u64 (at most ${MAX_ID_DIGITS} digits)`,
    );
  const big = BigInt(text);
  if (big > U64_MAX)
    throw new TraceFormatError(
      `${fileName}: line ${lineNo}: ${what} ${quote(text)} is larger than 2^64 - 1; object ids are u64`,
    );
  idLo = Number(big & 0xffff_ffffn);
  idHi = Number(big >> 32n);
}

function result(ids: DenseIds, name: string): TraceData {
  return { name, pageIds: ids.pageIds(), distinct: ids.distinct, requests: ids.requests };
}

export function txtTraceParser(fileName: string, name: string): TraceParser {
  const ids = new DenseIds();
  let blank = 0;
  const lines = new LineSplitter(fileName, (b, start, end, lineNo) => {
    if (isBlank(b, start, end)) {
      blank = blank || lineNo;
      return;
    }
    if (blank) throw new TraceFormatError(`${fileName}: line ${blank}: empty line`);
    readId(b, start, end, 'object id', fileName, lineNo);
    ids.pushU64(idLo, idHi);
  });
  return {
    push: (chunk) => lines.push(chunk),
    end() {
      lines.end();
      if (ids.requests === 0) throw new TraceFormatError(`${fileName}: empty trace (no requests)`);
      return result(ids, name);
    },
  };
}

export function csvTraceParser(fileName: string, name: string): TraceParser {
  const ids = new DenseIds();
  let blank = 0;
  const lines = new LineSplitter(fileName, (b, start, end, lineNo) => {
    if (lineNo === 1) {
      const header = latin1(b, start, end).trim();
      if (header !== CSV_HEADER)
        throw new TraceFormatError(`${fileName}: line 1: expected header ${quote(CSV_HEADER)}, got ${quote(header)}`);
      return;
    }
    if (isBlank(b, start, end)) {
      blank = blank || lineNo;
      return;
    }
    if (blank) throw new TraceFormatError(`${fileName}: line ${blank}: empty line`);
    let commas = 0;
    let last = -1;
    for (let i = start; i < end; i++)
      if (b[i] === 0x2c) {
        commas++;
        last = i;
      }
    if (commas !== CSV_FIELDS - 1)
      throw new TraceFormatError(
        `${fileName}: line ${lineNo}: expected ${CSV_FIELDS} fields (${CSV_HEADER}), got ${commas + 1}`,
      );
    readId(b, last + 1, end, 'lbn', fileName, lineNo);
    ids.pushU64(idLo, idHi);
  });
  return {
    push: (chunk) => lines.push(chunk),
    end() {
      lines.end();
      if (ids.requests === 0) throw new TraceFormatError(`${fileName}: empty trace (no requests after the header)`);
      return result(ids, name);
    },
  };
}

export function parseTxtTrace(bytes: Uint8Array, fileName: string, name: string): TraceData {
  const p = txtTraceParser(fileName, name);
  p.push(bytes);
  return p.end();
}

export function parseCsvTrace(bytes: Uint8Array, fileName: string, name: string): TraceData {
  const p = csvTraceParser(fileName, name);
  p.push(bytes);
  return p.end();
}
