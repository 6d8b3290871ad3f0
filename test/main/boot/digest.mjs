// sha256 over every sample column's raw float64 bytes, in key order (NaN-safe, unlike JSON).
import { createHash } from 'node:crypto';

export function digestColumns(samples) {
  const h = createHash('sha256');
  for (const k of Object.keys(samples).sort())
    h.update(k).update(new Uint8Array(samples[k].buffer, samples[k].byteOffset, samples[k].byteLength));
  return h.digest('hex');
}
