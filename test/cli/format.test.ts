import { describe, expect, it } from 'vitest';
import { fmtNs, runSlowdown, summaryTable } from '../../engine/cli/format.ts';
import { ProgressBar } from '../../engine/cli/progress.ts';
import type { RunResult } from '../../engine/protocol.ts';
import { scenario } from '../config/fixtures.ts';

function fakeResult(hw: string, hitRate: number): RunResult {
  const config = scenario('seed-debate', hw);
  const zero = {
    accesses: 1000,
    hits: 900,
    hitRate,
    coldMisses: 10,
    misses: 100,
    refaults: 5,
    refaultPctWorkingSetPerMin: 1.5,
  };
  return {
    engineVersion: 'test',
    config,
    seed: 1,
    workers: 1,
    deterministic: true,
    summary: {
      ...zero,
      evictions: 10,
      evictionPrecision: 0.5,
      s2Faults: 1,
      afFaults: 2,
      vcpuStallNs: 1.5e6,
      lockWaitNs: 0,
      lockHoldNs: 2500,
      agingPasses: 3,
      agingNs: 4e6,
      ptesScanned: 5,
      youngFound: 6,
      cmpxchgFailures: 0,
      hypercalls: 0,
      tlbInvalidates: 0,
      rcuGracePeriods: 1,
      tablePagesPeak: 1,
      virtualMs: 20,
      throughput: 50000,
      guests: [],
    },
    samples: {} as RunResult['samples'],
    wallMs: 10,
    stopped: false,
  };
}

describe('summaryTable', () => {
  it('puts runs side by side, one metric per row, aligned', () => {
    const t = summaryTable([
      { label: 'ampere-altra', result: fakeResult('ampere-altra', 0.9) },
      { label: 'pkvm', result: fakeResult('pkvm', 0.75) },
    ]);
    const lines = t.split('\n');
    expect(lines[0]).toMatch(/^\s+ampere-altra\s+pkvm$/);
    expect(t).toMatch(/^hit rate\s+90\.00%\s+75\.00%$/m);
    expect(t).toMatch(/^harvest\s+lockless\s+hypercall$/m);
    expect(t).toMatch(/^aging cost\s+4\.00 ms \/ 3 passes\s+4\.00 ms \/ 3 passes$/m);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
    // Every figure says what it counts (s15-h: 'refaults %WS/min' and a bare '50,000/s' read as riddles).
    // Control: the old labels fail both.
    expect(t).toMatch(/^refaults per min, % of working set\s+1\.50%\s+1\.50%$/m);
    expect(t).toMatch(/^throughput\s+50,000 accesses\/s\s+50,000 accesses\/s$/m);
  });

  it('pass end times (scan with slices) get a row per guest that has them; other runs show none', () => {
    const r = fakeResult('ampere-altra', 0.9);
    expect(summaryTable([{ label: 'a', result: r }])).not.toMatch(/pass ends/);
    r.summary.guests = [{ ...r.summary.guests[0], passEndMs: [616.734, 1233.474] }, ...r.summary.guests.slice(1)];
    const name = r.summary.guests[0].name;
    expect(summaryTable([{ label: 'a', result: r }])).toMatch(
      new RegExp(`^pass ends, ${name}\\s+616\\.73 ms / 1\\.233 s$`, 'm'),
    );
  });

  it('eviction precision without a judged eviction is n/a, never 100%', () => {
    const r = fakeResult('ampere-altra', 0.9);
    r.summary.evictions = 0;
    r.summary.evictionPrecision = Number.NaN;
    expect(summaryTable([{ label: 'a', result: r }])).toMatch(/^eviction precision\s+n\/a$/m);
    // A session written as JSON turns NaN into null: still n/a, not a crash.
    (r.summary as unknown as Record<string, unknown>).evictionPrecision = null;
    expect(summaryTable([{ label: 'a', result: r }])).toMatch(/^eviction precision\s+n\/a$/m);
  });

  // The swap-device rows are SSD-only (runSummary.ts); an empty one says why, not a bare n/a beside the
  // refaults (s16-g trial). Control: 'n/a' for every device fails the first two expectations.
  it('swap rows without SSD swap name the device instead of a bare n/a', () => {
    const r = fakeResult('ampere-altra', 0.9);
    expect(r.config.host.swap.device).toBe('zram');
    const table = summaryTable([{ label: 'a', result: r }]);
    expect(table).toMatch(/^swap reads \/ read ahead \/ hits\s+n\/a \(zram swap\)$/m);
    r.config = { ...r.config, host: { ...r.config.host, swap: { ...r.config.host.swap, device: 'none' } } };
    expect(summaryTable([{ label: 'a', result: r }])).toMatch(
      /^swap-outs under writeback \/ faults on them\s+n\/a \(no swap\)$/m,
    );
    r.config = { ...r.config, host: { ...r.config.host, swap: { ...r.config.host.swap, device: 'ssd' } } };
    Object.assign(r.summary, {
      swapReads: 1200,
      readaheadPages: 300,
      readaheadHits: 45,
      swapWritebacks: 7,
      writebackFaults: 2,
    });
    const ssd = summaryTable([{ label: 'a', result: r }]);
    expect(ssd).toMatch(/^swap reads \/ read ahead \/ hits\s+1,200 \/ 300 \/ 45$/m);
    expect(ssd).toMatch(/^swap-outs under writeback \/ faults on them\s+7 \/ 2$/m);
  });

  it('slowdown: the access-weighted run figure, then one row per guest', () => {
    const guest = (name: string, accesses: number, slowdown: number | null, pinned = false) => ({
      name,
      accesses,
      hits: 0,
      hitRate: 0,
      coldMisses: 0,
      refaults: 0,
      evictions: 0,
      evictionPrecision: Number.NaN,
      s2Faults: 0,
      afFaults: 0,
      vcpuStallNs: 0,
      lockWaitNs: 0,
      throughput: 0,
      slowdown,
      pinned,
    });
    const a = fakeResult('ampere-altra', 0.9);
    a.summary.guests = [guest('web', 300, 2), guest('vault', 100, 1, true)];
    const b = fakeResult('pkvm', 0.9);
    b.summary.guests = [guest('web', 100, null)];
    expect(runSlowdown(a)).toBeCloseTo(1.75, 12);
    expect(runSlowdown(b)).toBeNull();
    const t = summaryTable([
      { label: 'a', result: a },
      { label: 'b', result: b },
    ]);
    expect(t).toMatch(/^slowdown\s+1\.75×\s+n\/a$/m);
    expect(t).toMatch(/^ {2}web\s+2\.00×\s+n\/a$/m);
    expect(t).toMatch(/^ {2}vault\s+1\.00× \(pinned\)\s+-$/m);
  });

  it('formats nanoseconds', () => {
    expect([fmtNs(12), fmtNs(1500), fmtNs(2.5e6), fmtNs(3e9), fmtNs(Number.NaN)]).toEqual([
      '12 ns',
      '1.5 µs',
      '2.50 ms',
      '3.000 s',
      '—',
    ]);
  });
});

describe('ProgressBar', () => {
  it('draws only when enabled, throttled, and clears its line', () => {
    const out: string[] = [];
    const bar = new ProgressBar((s) => out.push(s), true, 10);
    bar.update('a', 0.5, 1000);
    bar.update('a', 0.6, 1050); // throttled
    bar.update('a', 1, 1060); // completion always drawn
    bar.done();
    expect(out).toEqual(['\r[#####-----]  50%  a\x1b[K', '\r[##########] 100%  a\x1b[K', '\r\x1b[K']);
    const silent: string[] = [];
    const off = new ProgressBar((s) => silent.push(s), false);
    off.update('a', 0.5);
    off.done();
    expect(silent).toEqual([]);
  });
});
