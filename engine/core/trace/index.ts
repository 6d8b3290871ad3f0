/** engine/core/trace: parsers for the three trace encodings (pure; hosts supply the bytes). */
export { parseTrace, traceEncoding, traceName, traceParser } from './parse.ts';
export { parseOracleGeneral, ORACLE_RECORD_BYTES } from './oracleGeneral.ts';
export { parseCsvTrace, parseTxtTrace, CSV_HEADER, MAX_LINE_BYTES } from './textTraces.ts';
export { DenseIds, MAX_ID_DIGITS } from './denseIds.ts';
export { TraceFormatError, type TraceData, type TraceEncoding, type TraceParser } from './types.ts';
export { TraceLibrary, MAX_TRACES, traceFailure } from './library.ts';
