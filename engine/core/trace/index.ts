/** engine/core/trace: parsers for the three trace encodings (pure; hosts supply the bytes). */
export { parseTrace, traceEncoding, traceName } from './parse.ts';
export { parseOracleGeneral, ORACLE_RECORD_BYTES } from './oracleGeneral.ts';
export { parseCsvTrace, parseTxtTrace, CSV_HEADER } from './textTraces.ts';
export { TraceFormatError, type TraceData, type TraceEncoding } from './types.ts';
export { TraceLibrary, MAX_TRACES } from './library.ts';
