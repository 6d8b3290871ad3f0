import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../engine/protocol.ts';
import {
  formatCount,
  formatFixed,
  formatDurationNs,
  formatPct,
  formatRate,
  formatTick,
} from '../../renderer/src/lib/format.ts';
import { GUEST_ROWS } from '../../renderer/src/lib/guests.ts';
import { SUMMARY_ROWS, runSpanMs, summaryColumns } from '../../renderer/src/lib/summary.ts';
import { columns, summary } from './fixtures.ts';

describe('format', () => {
  it('is locale-independent', () => {
    // The lab's one number style (engine/numberFormat.ts), the CLI's too.
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatFixed(-1234.5, 2)).toBe('-1,234.50');
    expect(formatFixed(-0.0001, 2)).toBe('0.00');
    expect(formatPct(0.91234)).toBe('91.23%');
    expect(formatDurationNs(12_345_678)).toBe('12.35 ms');
    expect(formatRate(1_234_567, 'accesses/s')).toBe('1,234,567 accesses/s');
    expect(formatTick(1500)).toBe('1.5k');
  });

  it('shows a dash for non-finite values', () => {
    expect(formatPct(NaN)).toBe('—');
    expect(formatCount(Infinity)).toBe('—');
  });
});

describe('summary table', () => {
  it('has unique row keys (they are test ids)', () => {
    expect(new Set(SUMMARY_ROWS.map((r) => r.key)).size).toBe(SUMMARY_ROWS.length);
  });

  it('one column per run, one cell per row, from the run summary only', () => {
    const run = (name: string, s = summary()) =>
      ({
        config: { hardware: { name }, reclaim: { harvest: 'lockless', policy: 'mglru' } },
        summary: s,
        stopped: false,
        samples: columns(1),
      }) as unknown as RunResult;
    const cols = summaryColumns([
      { run: run('Ampere'), index: 0 },
      { run: run('pKVM', summary({ hitRate: 0.5 })), index: 3 },
    ]);
    expect(cols.map((c) => c.label)).toEqual(['#1 Ampere', '#4 pKVM']);
    expect(cols[0].sublabel).toBe('lockless · mglru');
    expect(cols[1].cells[0]).toBe('50.00%');
    expect(cols[0].cells).toHaveLength(SUMMARY_ROWS.length);
  });

  it("a finished run's x axis spans the virtual time it simulated (a trace replay may end early)", () => {
    const run = (virtualMs: number) =>
      ({ config: { run: { durationMs: 5000 } }, summary: summary({ virtualMs }) }) as unknown as RunResult;
    expect(runSpanMs(run(1731.2))).toBe(1731.2);
    expect(runSpanMs(run(NaN))).toBe(5000);
    expect(runSpanMs(run(0))).toBe(5000);
  });
});

describe('units', () => {
  // The tables print a unit in parentheses after its metric: "MMU lock wait (ms (virtual))" read badly
  // (s9-t trial). Control: the old 'ms (virtual)' fails both expectations.
  it('read inside the tables’ parentheses without nesting, and every time unit says it is virtual', () => {
    const units = [...SUMMARY_ROWS, ...GUEST_ROWS].map((r) => r.unit);
    for (const u of units) expect(u).not.toMatch(/[()]/);
    expect(units.filter((u) => /\b(ms|µs)$/.test(u)).every((u) => /^virtual (ms|µs)$/.test(u))).toBe(true);
  });
});
