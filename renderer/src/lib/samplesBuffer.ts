/**
 * Growable columnar buffer for the live sample stream. 'samples' events carry rows from `startRow`;
 * rows land at their index (a repeated or overlapping chunk overwrites, it never duplicates).
 * Capacity doubles, so appending n rows costs O(n) amortised.
 */
import type { SampleColumns } from '../../../engine/protocol.ts';
import { SAMPLE_COLUMNS } from './protocolLists.ts';

export interface SamplesBuffer {
  rows: number;
  capacity: number;
  columns: SampleColumns;
}

function allocate(capacity: number): SampleColumns {
  const cols = {} as SampleColumns;
  for (const name of SAMPLE_COLUMNS) cols[name] = new Float64Array(capacity);
  return cols;
}

export function createSamplesBuffer(capacity = 256): SamplesBuffer {
  return { rows: 0, capacity, columns: allocate(capacity) };
}

/** Writes a chunk into the buffer (mutates it) and returns the new row count. */
export function appendSamples(buf: SamplesBuffer, startRow: number, chunk: SampleColumns): number {
  const n = chunk.tMs.length;
  const end = startRow + n;
  if (end > buf.capacity) {
    let capacity = buf.capacity;
    while (capacity < end) capacity *= 2;
    const next = allocate(capacity);
    for (const name of SAMPLE_COLUMNS) next[name].set(buf.columns[name].subarray(0, buf.rows));
    buf.columns = next;
    buf.capacity = capacity;
  }
  for (const name of SAMPLE_COLUMNS) {
    const src = chunk[name];
    // A column missing from a chunk is a protocol violation; keep the row count consistent with NaN.
    if (src) buf.columns[name].set(src, startRow);
    else buf.columns[name].fill(NaN, startRow, end);
  }
  buf.rows = Math.max(buf.rows, end);
  return buf.rows;
}

/** Views of the filled rows (no copy). */
export function samplesView(buf: SamplesBuffer): SampleColumns {
  const cols = {} as SampleColumns;
  for (const name of SAMPLE_COLUMNS) cols[name] = buf.columns[name].subarray(0, buf.rows);
  return cols;
}
