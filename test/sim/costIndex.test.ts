/**
 * The C_* cost indices are literals (engine/core/sim/costIndex.ts, so the Node bundles inline them): each
 * must be its key's position in COST_KEYS, the order costTable fills the table in.
 *
 * Negative control (run by hand): with C_AF_FAULT and C_S2_FAULT's literals swapped, the first test fails.
 */
import { describe, expect, it } from 'vitest';
import { COST_KEYS } from '../../engine/protocol.ts';
import * as costIndex from '../../engine/core/sim/costIndex.ts';

/** C_HW_AF_UPDATE -> hwAfUpdate, C_DCACHE_CLEAN_INVAL -> dcacheCleanInval. */
const keyOf = (name: string): string =>
  name
    .slice(2)
    .toLowerCase()
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('cost indices', () => {
  it("each C_* is its key's position in COST_KEYS", () => {
    const names = Object.keys(costIndex);
    expect(names.length).toBe(COST_KEYS.length);
    for (const name of names) {
      const key = keyOf(name);
      expect(COST_KEYS.indexOf(key as (typeof COST_KEYS)[number]), name).toBe(
        (costIndex as Record<string, number>)[name],
      );
    }
  });
});
