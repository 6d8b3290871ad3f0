/** Diagnostics: every guest counter (simLayout.ts GS_*) moved between two snapshots of one guest's words at `base`. */
import * as L from '../engine/core/sim/simLayout.ts';

export function counterDelta(before: Float64Array, after: Float64Array, base: number): Record<string, number> {
  const c: Record<string, number> = {};
  for (const [k, i] of Object.entries(L))
    if (k.startsWith('GS_') && typeof i === 'number' && k !== 'GS_WORDS')
      c[k.slice(3)] = after[base + i] - before[base + i];
  return c;
}
