/**
 * Text traces, parsed from bytes (ASCII) line by line:
 *  - .csv: header `version,time,op,size,lbn`, then one request per line; lbn is the object id;
 *  - .txt: one object id per line.
 * Lines may end in \n or \r\n; a final line without a newline counts; blank lines are errors except
 * at the very end. Ids must be non-negative decimal integers.
 */
import { DenseIds, keyOfDecimal } from './denseIds.ts';
import { scanCsv, scanTxt } from './fastText.ts';
import { TraceFormatError, type TraceData } from './types.ts';

export const CSV_HEADER = 'version,time,op,size,lbn';
const CSV_FIELDS = 5;

/** Calls `visit(line, lineNumber)` for every line (1-based), without its line ending. */
function forEachLine(bytes: Uint8Array, visit: (line: string, lineNo: number) => void): void {
  let start = 0;
  let lineNo = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    const next = end === -1 ? bytes.length : end + 1;
    if (end === -1) end = bytes.length;
    const contentEnd = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    lineNo++;
    visit(latin1(bytes, start, contentEnd), lineNo);
    start = next;
  }
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 4096) s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 4096)));
  return s;
}

const DIGITS = /^[0-9]+$/;

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export function parseTxtTrace(bytes: Uint8Array, fileName: string, name: string): TraceData {
  const fast = scanTxt(bytes); // well-formed files, from the bytes (fastText.ts); else line by line
  if (fast) return { name, pageIds: fast.pageIds(), distinct: fast.distinct, requests: fast.requests };
  const ids = new DenseIds();
  let blank = 0;
  forEachLine(bytes, (line, lineNo) => {
    const t = line.trim();
    if (t === '') {
      blank = blank || lineNo;
      return;
    }
    if (blank) throw new TraceFormatError(`${fileName}: line ${blank}: empty line`);
    if (!DIGITS.test(t))
      throw new TraceFormatError(`${fileName}: line ${lineNo}: object id ${quote(t)} is not a non-negative integer`);
    ids.push(keyOfDecimal(t));
  });
  if (ids.requests === 0) throw new TraceFormatError(`${fileName}: empty trace (no requests)`);
  return { name, pageIds: ids.pageIds(), distinct: ids.distinct, requests: ids.requests };
}

export function parseCsvTrace(bytes: Uint8Array, fileName: string, name: string): TraceData {
  const fast = scanCsv(bytes, CSV_HEADER);
  if (fast) return { name, pageIds: fast.pageIds(), distinct: fast.distinct, requests: fast.requests };
  const ids = new DenseIds();
  let blank = 0;
  forEachLine(bytes, (line, lineNo) => {
    if (lineNo === 1) {
      const header = line.replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').trim();
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
    const lbn = fields[CSV_FIELDS - 1].trim();
    if (!DIGITS.test(lbn))
      throw new TraceFormatError(`${fileName}: line ${lineNo}: lbn ${quote(lbn)} is not a non-negative integer`);
    ids.push(keyOfDecimal(lbn));
  });
  if (ids.requests === 0) throw new TraceFormatError(`${fileName}: empty trace (no requests after the header)`);
  return { name, pageIds: ids.pageIds(), distinct: ids.distinct, requests: ids.requests };
}
