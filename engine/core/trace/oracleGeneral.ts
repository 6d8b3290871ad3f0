/**
 * libCacheSim's oracleGeneral binary trace: no header, packed little-endian 24-byte records
 *   u32 timestamp, u64 obj_id, u32 obj_size, i64 next_access (1-based index of the next request to the
 *   same object, -1 if none).
 * Only obj_id matters here (each object is one guest page); next_access is checked for sanity
 * (>= -1) so that a file in another layout is refused rather than replayed as noise.
 */
import { DenseIds } from './denseIds.ts';
import { TraceFormatError, type TraceData, type TraceParser } from './types.ts';

export const ORACLE_RECORD_BYTES = 24;

/** Records may arrive in chunks of any size: a partial record is carried over to the next chunk. */
export function oracleGeneralParser(fileName: string, name: string): TraceParser {
  const ids = new DenseIds();
  const carry = new Uint8Array(ORACLE_RECORD_BYTES);
  let carried = 0;
  let total = 0;
  let r = 0;
  const record = (view: DataView, at: number): void => {
    const lo = view.getUint32(at + 4, true);
    const hi = view.getUint32(at + 8, true);
    const nextLo = view.getUint32(at + 16, true);
    const nextHi = view.getInt32(at + 20, true);
    // i64 < -1  <=>  high word negative and not the all-ones pattern of -1.
    if (nextHi < -1 || (nextHi === -1 && nextLo !== 0xffff_ffff))
      throw new TraceFormatError(
        `${fileName}: record ${r + 1} (byte ${r * ORACLE_RECORD_BYTES}): next_access is negative but not -1; not an oracleGeneral trace?`,
      );
    ids.pushU64(lo, hi);
    r++;
  };
  return {
    push(bytes) {
      total += bytes.length;
      let at = 0;
      if (carried > 0) {
        const take = Math.min(ORACLE_RECORD_BYTES - carried, bytes.length);
        carry.set(bytes.subarray(0, take), carried);
        carried += take;
        at = take;
        if (carried < ORACLE_RECORD_BYTES) return;
        record(new DataView(carry.buffer), 0);
        carried = 0;
      }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (; at + ORACLE_RECORD_BYTES <= bytes.length; at += ORACLE_RECORD_BYTES) record(view, at);
      carry.set(bytes.subarray(at), 0);
      carried = bytes.length - at;
    },
    end() {
      if (total === 0) throw new TraceFormatError(`${fileName}: empty trace (no records)`);
      if (carried !== 0)
        throw new TraceFormatError(
          `${fileName}: record ${r + 1} is truncated: ${total} bytes is not a whole number of ${ORACLE_RECORD_BYTES}-byte records (${r} records + ${carried} bytes)`,
        );
      return { name, pageIds: ids.pageIds(), distinct: ids.distinct, requests: ids.requests };
    },
  };
}

export function parseOracleGeneral(bytes: Uint8Array, fileName: string, name: string): TraceData {
  const p = oracleGeneralParser(fileName, name);
  // The size is checked first: a file that is not whole records is refused before any record is read.
  if (bytes.length === 0) return p.end();
  if (bytes.length % ORACLE_RECORD_BYTES !== 0) {
    const records = Math.floor(bytes.length / ORACLE_RECORD_BYTES);
    throw new TraceFormatError(
      `${fileName}: record ${records + 1} is truncated: ${bytes.length} bytes is not a whole number of ${ORACLE_RECORD_BYTES}-byte records (${records} records + ${bytes.length % ORACLE_RECORD_BYTES} bytes)`,
    );
  }
  p.push(bytes);
  return p.end();
}
