// One number style in the app and the CLI (engine/numberFormat.ts, session 17 g). Before it the same run
// read '92.96%' / '6,310,472' / '6.619 s' / '2,971,090 accesses/s' in `lab run` and '92.96 %' /
// '6 310 472' (thin space) / '6 619.264 ms' / '2.97 Macc/s' in the app's summary table.
import { describe, expect, it } from 'vitest';
import { summaryTable } from '../../engine/cli/format.ts';
import {
  fmtCount,
  fmtDurationNs,
  fmtFixed,
  fmtPct,
  fmtPercent,
  fmtRate,
  fmtTimes,
  groupThousands,
} from '../../engine/numberFormat.ts';
import type { RunResult } from '../../engine/protocol.ts';
import { SUMMARY_ROWS } from '../../renderer/src/lib/summary.ts';
import { scenario } from '../config/fixtures.ts';
import { summary } from '../renderer/fixtures.ts';

function result(hw: string, over: Parameters<typeof summary>[0] = {}): RunResult {
  return {
    engineVersion: 'test',
    config: scenario('seed-debate', hw),
    seed: 1,
    workers: 1,
    deterministic: true,
    summary: summary(over),
    samples: {} as RunResult['samples'],
    wallMs: 5582,
    stopped: false,
  };
}

describe('engine/numberFormat.ts: the rule', () => {
  it('groups thousands with a comma, rounds counts, keeps signs', () => {
    expect(groupThousands('1234567')).toBe('1,234,567');
    expect(fmtCount(94823.4)).toBe('94,823');
    expect(fmtCount(-1234)).toBe('-1,234');
    expect(fmtCount(-0.2)).toBe('0');
    expect(fmtFixed(1124.434, 2)).toBe('1,124.43');
  });
  it('writes percentages with two decimals and no space', () => {
    expect(fmtPct(0.929612)).toBe('92.96%');
    expect(fmtPercent(1124.434)).toBe('1,124.43%');
  });
  it('scales durations and always names the unit', () => {
    expect([812, 3400, 46_010_000, 1_637_000_000, -2.5e6].map(fmtDurationNs)).toEqual([
      '812 ns',
      '3.4 µs',
      '46.01 ms',
      '1.637 s',
      '-2.50 ms',
    ]);
    expect(fmtDurationNs(6_619_264_000_000)).toBe('6,619.264 s');
  });
  it('writes rates as grouped whole numbers with their unit, factors with ×', () => {
    expect(fmtRate(2_971_090.4, 'accesses/s')).toBe('2,971,090 accesses/s');
    expect(fmtTimes(1.3449)).toBe('1.34×');
  });
  it('shows a dash for what is not a finite number', () => {
    for (const f of [fmtCount, fmtPct, fmtPercent, fmtDurationNs, (x: number) => fmtRate(x, 'x/s'), fmtTimes])
      expect(f(Number.NaN)).toBe('—');
  });
});

describe('the app and the CLI print a run the same way', () => {
  it("each figure both tables show reads identically in the app's summary and in `lab run`'s table", () => {
    const s = {
      hitRate: 0.929612,
      accesses: 6_310_472,
      refaults: 97_425,
      refaultPctWorkingSetPerMin: 1124.434,
      evictionPrecision: 0.50694,
      vcpuStallNs: 5_225_400_000,
      lockWaitNs: 46_012_345,
      lockHoldNs: 541_360_000,
      throughput: 4_206_981.2,
      virtualMs: 1500,
    };
    const table = summaryTable([{ label: 'a', result: result('ampere-altra', s) }]);
    const cli = (label: string): string => {
      const m = new RegExp(`^${label}\\s{2,}(\\S.*)$`, 'm').exec(table);
      if (!m) throw new Error(`no row '${label}' in\n${table}`);
      return m[1];
    };
    const app = (key: string): string => {
      const row = SUMMARY_ROWS.find((r) => r.key === key);
      if (!row) throw new Error(`no app row ${key}`);
      return row.text(summary(s));
    };
    const pairs: [string, string][] = [
      ['hitRate', 'hit rate'],
      ['accesses', 'accesses'],
      ['refaults', 'refaults'],
      ['refaultPct', 'refaults per min, % of working set'],
      ['evictionPrecision', 'eviction precision'],
      ['vcpuStall', 'vCPU stall'],
      ['lockWait', 'MMU lock wait'],
      ['lockHold', 'MMU lock hold'],
      ['throughput', 'throughput'],
      ['virtualMs', 'virtual time'],
    ];
    for (const [key, label] of pairs) expect(app(key), key).toBe(cli(label));
    expect(cli('hit rate')).toBe('92.96%');
    expect(cli('MMU lock wait')).toBe('46.01 ms');
    expect(cli('throughput')).toBe('4,206,981 accesses/s');
  });
});

describe("lab run's table of the three seed-debate profiles", () => {
  const three = (): string =>
    summaryTable(
      ['ampere-altra', 'phone-prev82', 'pkvm'].map((hw) => ({
        label: hw,
        result: result(hw, { throughput: 4_206_981, agingNs: 77_980_000, agingPasses: 7 }),
      })),
      100,
    );
  it('fits 100 columns: a long label wraps inside its column, its values on the first line', () => {
    const t = three();
    const widest = Math.max(...t.split('\n').map((l) => l.length));
    expect(widest).toBeLessThanOrEqual(100); // was 108
    expect(t).toMatch(/^swap-outs under writeback \/ faults\s+n\/a \(zram swap\)/m);
    expect(t).toMatch(/^ {2}on them$/m);
    // Every value still sits in its column: the hit rate row keeps its three cells.
    expect(t).toMatch(/^hit rate\s+81\.00%\s+81\.00%\s+81\.00%$/m);
  });
  it('keeps the full labels when the terminal is wide enough', () => {
    const wide = summaryTable([{ label: 'a', result: result('ampere-altra') }], 160);
    expect(wide).toMatch(/^swap-outs under writeback \/ faults on them\s+n\/a/m);
  });
});

describe('lab show of a 3-profile session', () => {
  it('wraps its title at the table width too (was one 128-column line)', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { encodeSession } = await import('../../engine/session/index.ts');
    const { makeRunResult, makeSession } = await import('../session/fixtures.ts');
    const { showCommand } = await import('../../engine/cli/sessionCommands.ts');
    const runs = ['ampere-altra', 'phone-prev82', 'pkvm'].map((hw, i) => ({
      ...makeRunResult(2, i + 1),
      config: scenario('seed-debate', hw),
    }));
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'g-show-')), 'seed-debate-three-profiles.msgpack');
    writeFileSync(file, encodeSession(makeSession(runs)));
    let out = '';
    const ctx = { stdout: (s: string) => (out += s), stderr: () => {} } as unknown as Parameters<typeof showCommand>[2];
    showCommand(file, false, ctx);
    const lines = out.split('\n');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(100);
    expect(out).toContain('ampere-altra');
  });
});
