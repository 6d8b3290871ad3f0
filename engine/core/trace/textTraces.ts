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
import { DenseIds, u64OfDecimal } from './denseIds.ts';
import { TraceFormatError, type TraceData, type TraceParser } from './types.ts';

export const CSV_HEADER = 'version,time,op,size,lbn';
const CSV_FIELDS = 5;
/** No valid line comes near this (a CSV request line is under 100 bytes). */
export const MAX_LINE_BYTES = 4096;

const DIGITS = /^[0-9]+$/;

function quote(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are shown escaped, never raw
  const safe = (s.length > 40 ? `${s.slice(0, 40)}…` : s).replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return JSON.stringify(safe);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...bytes.subarray(start, end)); // end - start <= MAX_LINE_BYTES
}

/** Splits chunks into lines (carrying a partial line over), calling `visit(line, lineNo)` for each. */
class LineSplitter {
  private carry = new Uint8Array(0);
  private lineNo = 0;
  private atStart = true;

  constructor(
    private readonly fileName: string,
    private readonly visit: (line: string, lineNo: number) => void,
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
    this.visit(latin1(bytes, start, contentEnd), this.lineNo);
  }

  private tooLong(lineNo: number): never {
    throw new TraceFormatError(
      `${this.fileName}: line ${lineNo} is longer than ${MAX_LINE_BYTES} bytes; not a trace of object ids`,
    );
  }
}

/** The id's u64 halves, or a TraceFormatError naming the line. */
function idOf(t: string, what: string, fileName: string, lineNo: number): [number, number] {
  if (!DIGITS.test(t))
    throw new TraceFormatError(`${fileName}: line ${lineNo}: ${what} ${quote(t)} is not a non-negative integer`);
  const r = u64OfDecimal(t);
  if (typeof r === 'string') throw new TraceFormatError(`${fileName}: line ${lineNo}: ${what} ${quote(t)} ${r}`);
  return r;
}

function result(ids: DenseIds, name: string): TraceData {
  return { name, pageIds: ids.pageIds(), distinct: ids.distinct, requests: ids.requests };
}

export function txtTraceParser(fileName: string, name: string): TraceParser {
  const ids = new DenseIds();
  let blank = 0;
  const lines = new LineSplitter(fileName, (line, lineNo) => {
    const t = line.trim();
    if (t === '') {
      blank = blank || lineNo;
      return;
    }
    if (blank) throw new TraceFormatError(`${fileName}: line ${blank}: empty line`);
    const [lo, hi] = idOf(t, 'object id', fileName, lineNo);
    ids.pushU64(lo, hi);
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
  const lines = new LineSplitter(fileName, (line, lineNo) => {
    if (lineNo === 1) {
      const header = line.trim();
      if (header !== CSV_HEADER)
        throw new TraceFormatError(`${fileName}: line 1: expected header ${quote(CSV_HEADER)}, got ${quote(header)}`);
      return;
    }
    if (line.trim() === '') {
      blank = blank || lineNo;
      return;
    }
    if (blank) throw new TraceFormatError(`${fileName}: line ${blank}: empty line`);
    const fields = line.split(',');
    if (fields.length !== CSV_FIELDS)
      throw new TraceFormatError(
        `${fileName}: line ${lineNo}: expected ${CSV_FIELDS} fields (${CSV_HEADER}), got ${fields.length}`,
      );
    const [lo, hi] = idOf(fields[CSV_FIELDS - 1].trim(), 'lbn', fileName, lineNo);
    ids.pushU64(lo, hi);
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
