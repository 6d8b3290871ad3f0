/**
 * libCacheSim's oracleGeneral binary trace: no header, packed little-endian 24-byte records
 *   u32 timestamp, u64 obj_id, u32 obj_size, i64 next_access (1-based index of the next request to the
 *   same object, -1 if none).
 * Only obj_id matters here (each object is one guest page); next_access is checked for sanity
 * (>= -1) so that a file in another layout is refused rather than replayed as noise.
 */
import { DenseIds, keyOfU64 } from './denseIds.ts';
import { TraceFormatError, type TraceData } from './types.ts';

export const ORACLE_RECORD_BYTES = 24;

export function parseOracleGeneral(bytes: Uint8Array, fileName: string, name: string): TraceData {
  if (bytes.length === 0) throw new TraceFormatError(`${fileName}: empty trace (no records)`);
  const extra = bytes.length % ORACLE_RECORD_BYTES;
  const records = Math.floor(bytes.length / ORACLE_RECORD_BYTES);
  if (extra !== 0)
    throw new TraceFormatError(
      `${fileName}: record ${records + 1} is truncated: ${bytes.length} bytes is not a whole number of ${ORACLE_RECORD_BYTES}-byte records (${records} records + ${extra} bytes)`,
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ids = new DenseIds(records);
  for (let r = 0; r < records; r++) {
    const at = r * ORACLE_RECORD_BYTES;
    const lo = view.getUint32(at + 4, true);
    const hi = view.getUint32(at + 8, true);
    const nextLo = view.getUint32(at + 16, true);
    const nextHi = view.getInt32(at + 20, true);
    // i64 < -1  <=>  high word negative and not the all-ones pattern of -1.
    if (nextHi < -1 || (nextHi === -1 && nextLo !== 0xffff_ffff))
      throw new TraceFormatError(
        `${fileName}: record ${r + 1} (byte ${at}): next_access is negative but not -1; not an oracleGeneral trace?`,
      );
    ids.push(keyOfU64(lo, hi));
  }
  return { name, pageIds: ids.pageIds(), distinct: ids.distinct, requests: ids.requests };
}
