/**
 * Fast scanners for well-formed text traces, straight from the bytes (no string per line): each
 * line is 1..15 ASCII digits (txt) or five comma-separated fields whose last is 1..15 digits (csv),
 * ended by \n or \r\n (the last line may lack it). Anything else — blanks, spaces, signs, long ids,
 * an empty trace — returns null and the caller runs the line-by-line parser (textTraces.ts), which
 * owns every error message. Both give the same ids: a 1..15-digit id is the number keyOfDecimal gives.
 */
import { DenseIds } from './denseIds.ts';

const NL = 0x0a;
const CR = 0x0d;
const COMMA = 0x2c;
const D0 = 0x30;
const MAX_DIGITS = 15;

/** Lines in `bytes` from `start` (an upper bound of the requests). */
function lines(bytes: Uint8Array, start: number): number {
  let n = 0;
  for (let i = bytes.indexOf(NL, start); i !== -1; i = bytes.indexOf(NL, i + 1)) n++;
  return bytes.length > start && bytes[bytes.length - 1] !== NL ? n + 1 : n;
}

/**
 * Reads ids from line starts at `start`; `commas` fields to skip before the id (0 for txt, 4 for
 * csv, whose other fields may hold anything but a comma or a line end). Null when a line is not plain.
 */
function scan(bytes: Uint8Array, start: number, commas: number): DenseIds | null {
  const n = bytes.length;
  if (start >= n) return null;
  const ids = new DenseIds(lines(bytes, start));
  let i = start;
  while (i < n) {
    for (let k = 0; k < commas; k++) {
      while (i < n && bytes[i] !== COMMA) {
        if (bytes[i] === NL || bytes[i] === CR) return null;
        i++;
      }
      if (i === n) return null;
      i++; // the comma
    }
    let v = 0;
    let digits = 0;
    for (; i < n; i++) {
      const d = bytes[i] - D0;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      digits++;
    }
    if (digits === 0 || digits > MAX_DIGITS) return null;
    if (i < n) {
      if (bytes[i] === CR) i++;
      if (i >= n || bytes[i] !== NL) return null;
      i++;
    }
    ids.push(v);
  }
  return ids;
}

export function scanTxt(bytes: Uint8Array): DenseIds | null {
  return scan(bytes, 0, 0);
}

/** `header`: the exact first line expected (no BOM, no spaces); anything else goes the slow way. */
export function scanCsv(bytes: Uint8Array, header: string): DenseIds | null {
  const nl = bytes.indexOf(NL);
  if (nl < 0) return null;
  const end = nl > 0 && bytes[nl - 1] === CR ? nl - 1 : nl;
  if (end !== header.length) return null;
  for (let i = 0; i < end; i++) if (bytes[i] !== header.charCodeAt(i)) return null;
  return scan(bytes, nl + 1, 4);
}
