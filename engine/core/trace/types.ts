/** A parsed trace: one request per entry, object ids renamed to dense page ids 0..distinct-1. */
export interface TraceData {
  /** Trace name (file name without directory and encoding suffixes, e.g. 'cloudPhysicsIO'). */
  name: string;
  /** Dense page id of each request, ids assigned in order of first appearance. */
  pageIds: Uint32Array;
  distinct: number;
  requests: number;
}

/** The encodings we read (../shared/data/traces/README.md). */
export type TraceEncoding = 'oracleGeneral' | 'csv' | 'txt';

/** A malformed trace. The message names the file, the line or record, and the problem. */
export class TraceFormatError extends Error {
  override readonly name = 'TraceFormatError';
}

/** A parser fed a file's bytes in chunks of any size (push), then asked for the trace (end). */
export interface TraceParser {
  push(chunk: Uint8Array): void;
  end(): TraceData;
}
