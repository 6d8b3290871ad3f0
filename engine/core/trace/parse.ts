/**
 * Entry point: picks the encoding from the file name and parses bytes (or text) into a TraceData.
 * Throws TraceFormatError (message: file, line/record, problem) on malformed input or an unknown
 * extension. Hosts read the bytes (fs in Node, File in the browser); this stays pure.
 */
import { oracleGeneralParser, parseOracleGeneral } from './oracleGeneral.ts';
import { csvTraceParser, parseCsvTrace, parseTxtTrace, txtTraceParser } from './textTraces.ts';
import { TraceFormatError, type TraceData, type TraceEncoding, type TraceParser } from './types.ts';

const SUFFIXES: readonly [string, TraceEncoding][] = [
  ['.oraclegeneral.bin', 'oracleGeneral'],
  ['.bin', 'oracleGeneral'],
  ['.csv', 'csv'],
  ['.txt', 'txt'],
];

/** The encoding of a trace file from its name, or undefined when the extension is not one we read. */
export function traceEncoding(fileName: string): TraceEncoding | undefined {
  const lower = baseName(fileName).toLowerCase();
  return SUFFIXES.find(([suffix]) => lower.endsWith(suffix))?.[1];
}

/** 'dir/cloudPhysicsIO.oracleGeneral.bin' -> 'cloudPhysicsIO'. */
export function traceName(fileName: string): string {
  const base = baseName(fileName);
  const hit = SUFFIXES.find(([suffix]) => base.toLowerCase().endsWith(suffix));
  return hit ? base.slice(0, base.length - hit[0].length) : base;
}

function baseName(fileName: string): string {
  return fileName.split(/[/\\]/).pop() ?? fileName;
}

export function parseTrace(fileName: string, data: Uint8Array | string, name = traceName(fileName)): TraceData {
  const encoding = traceEncoding(fileName);
  if (!encoding)
    throw new TraceFormatError(`${fileName}: unknown trace encoding (expected .oracleGeneral.bin, .bin, .csv or .txt)`);
  const bytes = typeof data === 'string' ? asciiBytes(data) : data;
  switch (encoding) {
    case 'oracleGeneral':
      return parseOracleGeneral(bytes, fileName, name);
    case 'csv':
      return parseCsvTrace(bytes, fileName, name);
    case 'txt':
      return parseTxtTrace(bytes, fileName, name);
    default: {
      const never: never = encoding;
      throw new Error(`unexpected trace encoding ${String(never)}`);
    }
  }
}

/** A chunked parser for `fileName`'s encoding (hosts stream large files through it). */
export function traceParser(fileName: string, name = traceName(fileName)): TraceParser {
  const encoding = traceEncoding(fileName);
  if (!encoding)
    throw new TraceFormatError(`${fileName}: unknown trace encoding (expected .oracleGeneral.bin, .bin, .csv or .txt)`);
  switch (encoding) {
    case 'oracleGeneral':
      return oracleGeneralParser(fileName, name);
    case 'csv':
      return csvTraceParser(fileName, name);
    case 'txt':
      return txtTraceParser(fileName, name);
    default: {
      const never: never = encoding;
      throw new Error(`unexpected trace encoding ${String(never)}`);
    }
  }
}

/** Text given as a string: ids are ASCII, so one byte per UTF-16 unit (anything else fails as non-numeric). */
function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c < 0x80 ? c : 0x3f; // '?', which no id contains
  }
  return out;
}
