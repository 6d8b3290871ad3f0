/**
 * Sessions: the one file format the desktop app, the browser edition and the CLI read and write.
 * Pure TypeScript (no Node, no DOM): see sessionSchema.ts for the format, codec.ts for the encoding.
 */
export { encodeSession, decodeSession, SESSION_MAX_BYTES, SESSION_EXTENSION, type DecodeOptions } from './codec.ts';
export { validateSessionData, MAX_RUNS, SESSION_ERROR_NAMES, type SessionErrorKind } from './sessionSchema.ts';
export { sessionToCsv, sessionCsvChunks } from './csv.ts';
export { SchemaError } from './check.ts';
