import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../engine/protocol.ts';
import { GUEST_ROWS, guestBars } from '../../renderer/src/lib/guests.ts';
import { summary } from './fixtures.ts';

const guest = (name: string, throughput: number) => ({ ...summary({ throughput }), name, pinned: false });

describe('guestBars', () => {
  const run = {
    config: { hardware: { name: 'Ampere' } },
    summary: summary({ guests: [guest('web', 2_000_000), guest('batch', 500_000)] as never }),
  } as unknown as RunResult;
  const throughput = GUEST_ROWS.find((r) => r.key === 'throughput')!;

  it('one bar group per guest, one dataset per run', () => {
    const bars = guestBars(throughput, [{ run, label: '#1 Ampere', color: '#00f' }]);
    expect(bars.labels).toEqual(['web', 'batch']);
    expect(bars.datasets).toEqual([{ label: '#1 Ampere', color: '#00f', data: [2_000_000, 500_000] }]);
  });

  // The card's caption names the figure; an axis title of label + unit ("Throughput (accesses / virtual s)")
  // did not fit the per-guest chart and was cut to "Throughput (accesses / virtu" (s15-h, Compare tab).
  // Control: the old title `${row.label} (${row.unit})` fails both expectations.
  it('titles the y axis with the unit alone, short enough for the 180 px chart', () => {
    for (const row of GUEST_ROWS.filter((r) => r.chart)) {
      const bars = guestBars(row, [{ run, label: '#1', color: '#00f' }]);
      expect(bars.yLabel).toBe(row.unit);
      expect(bars.yLabel.length, row.key).toBeLessThanOrEqual(20);
    }
  });
});
