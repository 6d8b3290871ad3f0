import { describe, expect, it } from 'vitest';
import * as protocol from '../../engine/protocol.ts';
import * as lists from '../../renderer/src/lib/protocolLists.ts';

describe("renderer's copies of the protocol lists", () => {
  it('match engine/protocol.ts in content and order', () => {
    expect(lists.HARVEST_MODES).toEqual(protocol.HARVEST_MODES);
    expect(lists.RECLAIM_POLICIES).toEqual(protocol.RECLAIM_POLICIES);
    expect(lists.COST_KEYS).toEqual(protocol.COST_KEYS);
    expect(lists.SAMPLE_COLUMNS).toEqual(protocol.SAMPLE_COLUMNS);
  });
});
