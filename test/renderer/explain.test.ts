// Pure renderer helpers of issue 10: run identity, screen CSV, chart SVG, per-guest rows, hardware
// availability and preset export, undo history, heat-map colours.
import { describe, expect, it } from 'vitest';
import type { HardwareProfile, PresetCatalog, RunResult, ScenarioConfig } from '../../engine/protocol.ts';
import { makeConfig, makeRunResult } from '../session/fixtures.ts';
import {
  baseScenarioOf,
  configDiff,
  runIdentity,
  scenarioBaseName,
  scenarioTitle,
} from '../../renderer/src/lib/runLabel.ts';
import { csvNumber, screenCsv, screenCsvBytes, screenCsvChunks } from '../../renderer/src/lib/csv.ts';
import { chartSvg, niceTicks } from '../../renderer/src/lib/svg.ts';
import { GUEST_ROWS, guestBars, guestColumns, guestRowsFor } from '../../renderer/src/lib/guests.ts';
import {
  editedCosts,
  hardwareImport,
  harvestUnavailable,
  hardwarePresetText,
  locklessWhatIfMoot,
  protectedUnavailable,
} from '../../renderer/src/lib/hardware.ts';
import { binColor, columnX, paintColumn } from '../../renderer/src/lib/heatColors.ts';
import { SUMMARY_ROWS, deltaText, runCompareTitle, shownUnit, summaryColumns } from '../../renderer/src/lib/summary.ts';
import { CHARTS } from '../../renderer/src/lib/metrics.ts';
import { SAMPLE_COLUMNS } from '../../renderer/src/lib/protocolLists.ts';
import { buildCatalog } from '../../engine/core/config/catalog.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { UndoStack as SetupHistory, COALESCE_MS } from '../../renderer/src/lib/undo.ts';

const clone = <T>(v: T): T => structuredClone(v);

function catalogOf(config: ScenarioConfig): PresetCatalog {
  return { hardware: [config.hardware], workloads: [], scenarios: [{ id: 'sc', config }] };
}

describe('run identity', () => {
  const base = makeConfig();
  const catalog = catalogOf(base);

  it('names what differs from the scenario, e.g. host memory and vCPUs', () => {
    const c = clone(base);
    c.host.memoryMiB = 768;
    c.guests[0].vcpus = 6;
    expect(baseScenarioOf(c, catalog)).toBe(base);
    const single = base.guests.length === 1;
    expect(runIdentity(c, catalog)).toBe(`host 768 MiB · ${single ? '' : `${base.guests[0].name} `}6 vCPU`);
  });

  it('is empty for the scenario as is; two runs differing only in host memory get different labels', () => {
    expect(runIdentity(clone(base), catalog)).toBe('');
    const a = clone(base);
    const b = clone(base);
    a.host.memoryMiB = 512;
    b.host.memoryMiB = 2048;
    expect(runIdentity(a, catalog)).toBe('host 512 MiB');
    expect(runIdentity(b, catalog)).toBe('host 2048 MiB');
  });

  it('names edited costs, seeds and policies; ignores cost sources and names', () => {
    const c = clone(base);
    c.hardware.costs.swapIn = { ...c.hardware.costs.swapIn, ns: 99_000, source: 'mine' };
    c.run.seed = 7;
    c.reclaim.policy = c.reclaim.policy === 'clock' ? 'mglru' : 'clock';
    const parts = configDiff(c, base);
    expect(parts).toContain('swapIn 99000 ns');
    expect(parts).toContain('seed 7');
    expect(parts).toContain(c.reclaim.policy);
    expect(parts.join(' ')).not.toMatch(/mine/);
  });

  it('no base scenario: no label (negative control: a changed name breaks the match)', () => {
    const c = clone(base);
    c.name = 'something else';
    c.description = 'else';
    c.host.memoryMiB = 768;
    expect(runIdentity(c, catalog)).toBe('');
  });

  it('a profile the scenario has no resolution for: its own costs are not edits, an edited cost is', () => {
    // As the UI does it (LabState #setHardware): seed-debate lists ampere-altra, phone-prev82 and pkvm,
    // so on x86-workstation the draft is the base scenario with the hardware swapped. Before the fix
    // every x86 cost that differs from Altra's (tlbInvalidate 0 ns, ipiAck 1100 ns, ...) was listed as
    // the run's identity. Control: with runIdentity comparing against baseScenarioOf unchanged, the
    // first expectation fails with that list of costs.
    const real = buildCatalog(loadPresetDir().set);
    const seed = real.scenarios.find((s) => s.id === 'seed-debate')!.config;
    const x86 = real.hardware.find((h) => h.id === 'x86-workstation')!;
    expect(real.scenarios.some((s) => s.config.name === seed.name && s.config.hardware.id === x86.id)).toBe(false);
    const c = clone(seed);
    c.hardware = clone(x86);
    expect(runIdentity(c, real)).toBe('');
    c.hardware.costs.swapIn = { ...c.hardware.costs.swapIn, ns: 99_000 };
    c.host.memoryMiB = 768;
    expect(runIdentity(c, real)).toBe('swapIn 99000 ns · host 768 MiB');
    // An imported profile (not in the catalog) is named by its name; its costs are not edits either.
    const imported = clone(seed);
    imported.hardware = { ...clone(x86), id: 'my-board', name: 'My board' };
    imported.hardware.costs.memAccess = { ...imported.hardware.costs.memAccess, ns: 321 };
    expect(runIdentity(imported, real)).toBe('');
    // On a profile the catalog does resolve, the costs still compare against that resolution.
    const phone = clone(real.scenarios.find((s) => s.id === 'seed-debate@phone-prev82')!.config);
    phone.hardware.costs.afFault = { ...phone.hardware.costs.afFault, ns: 5 };
    expect(runIdentity(phone, real)).toBe('afFault 5 ns');
  });

  it("compare legends name every run's effective harvest mode, once", () => {
    // s15-h's trial: a run on the profile's default harvest was '#1 Ampere Altra' beside '#2 Ampere Altra ·
    // locked-write'. Control: with runTitle for the legends (the old CompareView) the first and third fail.
    const run = (config: ScenarioConfig): RunResult => ({ ...makeRunResult(2), config });
    const mode = base.reclaim.harvest;
    expect(runCompareTitle(run(clone(base)), 0, catalog)).toBe(`#1 Ampere Altra · ${mode}`);
    const other = clone(base);
    other.reclaim.harvest = mode === 'locked-write' ? 'lockless' : 'locked-write';
    expect(runCompareTitle(run(other), 1, catalog)).toBe(`#2 Ampere Altra · ${other.reclaim.harvest}`);
    const edited = clone(base);
    edited.host.memoryMiB = 768;
    expect(runCompareTitle(run(edited), 2, catalog)).toBe(`#3 Ampere Altra · ${mode} · host 768 MiB`);
    // No base scenario in the catalog: still the mode.
    expect(runCompareTitle(run(clone(base)), 3, null)).toBe(`#4 Ampere Altra · ${mode}`);
  });

  it("the trace scenario's title follows the capacity", () => {
    const c = clone(base);
    c.name = 'Trace oracle: cloudPhysicsIO, exact LRU, 10000 pages';
    c.host.memoryMiB = 20;
    expect(scenarioTitle(c)).toBe('Trace oracle: cloudPhysicsIO, exact LRU, 5120 pages');
  });

  it('the Scenario drop-down names a scenario without the profile it was resolved on (the picker shows it)', () => {
    const names = ['Ampere Altra (Neoverse N1)', 'Android protected KVM'];
    expect(scenarioBaseName('Seed debate: 150% overcommit — Android protected KVM', names)).toBe(
      'Seed debate: 150% overcommit',
    );
    // Only a trailing profile name goes; other dashes and unlisted names stay.
    expect(scenarioBaseName('A — B — Ampere Altra (Neoverse N1)', names)).toBe('A — B');
    expect(scenarioBaseName('Seed debate — Some phone', names)).toBe('Seed debate — Some phone');
  });
});

describe('summary deltas', () => {
  it('against the baseline: pp for percentages, ratio for all; none in the baseline column', () => {
    const a = makeRunResult(3, 1);
    const b = makeRunResult(3, 2);
    a.summary.hitRate = 0.8;
    b.summary.hitRate = 0.9;
    const cols = summaryColumns(
      [
        { run: a, index: 0 },
        { run: b, index: 1 },
      ],
      null,
      0,
    );
    const r = SUMMARY_ROWS.findIndex((x) => x.key === 'hitRate');
    expect(cols[0].deltas[r]).toBe('');
    expect(cols[1].deltas[r]).toBe('+10.00 pp · 1.13×');
    expect(deltaText(SUMMARY_ROWS[r], NaN, 0.5)).toBe('');
  });

  it('every summary row and chart has a plain name, a unit and an explanation paragraph', () => {
    for (const r of SUMMARY_ROWS) {
      expect(r.unit.length).toBeGreaterThan(0);
      expect(r.explain.length).toBeGreaterThan(r.help.length);
    }
    for (const c of CHARTS) {
      expect(c.unit.length).toBeGreaterThan(0);
      expect(c.explain.length).toBeGreaterThan(60);
    }
    expect(SUMMARY_ROWS.find((r) => r.key === 'refaultPct')?.label).toBe('Refaults per minute, % of working set');
  });

  it('a row header shows its unit unless its name says it (was "Virtual time (virtual time)")', () => {
    const row = (key: string) => SUMMARY_ROWS.find((r) => r.key === key)!;
    expect(shownUnit(row('virtualMs'))).toBe('');
    expect(shownUnit(row('vcpuStall'))).toBe('virtual time');
    expect(shownUnit(row('evictions'))).toBe('count');
  });
});

describe('screen CSV', () => {
  it('all shown runs, a config header block, empty cells instead of NaN', () => {
    const a = makeRunResult(4, 1);
    const b = makeRunResult(2, 2);
    a.samples.evictionPrecision[0] = NaN;
    const csv = screenCsv(
      [
        { number: 1, label: '#1 A', run: a },
        { number: 3, label: '#3 A · host 768 MiB, "x"', run: b },
      ],
      { app: 'Overcommit Lab test', exportedAt: '2026-01-01T00:00:00Z' },
    );
    const lines = csv.trimEnd().split('\n');
    const header = lines.findIndex((l) => l.startsWith('run,label,'));
    expect(lines.slice(0, header).every((l) => l.startsWith('#'))).toBe(true);
    expect(lines.slice(0, header).join('\n')).toMatch(/# run 3: #3 A · host 768 MiB/);
    expect(lines.slice(0, header).join('\n')).toMatch(/host=\d+ MiB/);
    expect(lines[header]).toBe(['run', 'label', ...SAMPLE_COLUMNS].join(','));
    expect(lines.length - header - 1).toBe(6);
    expect(csv).not.toMatch(/NaN/);
    const first = lines[header + 1].split(',');
    expect(first[2 + SAMPLE_COLUMNS.indexOf('evictionPrecision')]).toBe('');
    expect(lines[header + 5].startsWith('3,"#3 A · host 768 MiB, ""x""",')).toBe(true);
    expect(csvNumber(Infinity)).toBe('');
  });
});

describe('chart SVG', () => {
  const series = [
    {
      key: 'a',
      label: 'run <1>',
      color: '#f00',
      points: [
        { x: 0, y: 1 },
        { x: 1, y: null },
        { x: 2, y: 3 },
      ],
    },
  ];
  it('vector paths from the data, gaps kept, text escaped', () => {
    const svg = chartSvg(
      { title: 'Hit rate', xLabel: 'virtual time (s)', yLabel: 'hit rate (%)', series },
      { background: '#fff', text: '#000', grid: '#ccc' },
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).not.toMatch(/<image|data:image/);
    // Two segments: a gap (null) starts a new "M".
    const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? '';
    expect(d.match(/M/g)).toHaveLength(2);
    expect(svg).toContain('run &lt;1&gt;');
    expect(svg).toContain('hit rate (%)');
  });
  it('nice ticks', () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
  });
});

describe('per-guest rows', () => {
  it('host and each guest; optional ops rows only when present', () => {
    const run = makeRunResult(3, 1) as RunResult;
    const rows = guestRowsFor([run]);
    expect(rows.some((r) => r.key === 'opsPerSec')).toBe(false);
    const cols = guestColumns(run, rows);
    expect(cols[0].name).toBe('host');
    expect(cols.length).toBe(1 + run.summary.guests.length);
    (run.summary.guests[0] as unknown as Record<string, number>).opsPerSec = 1234;
    (run.summary.guests[0] as unknown as Record<string, number>).opLatencyP99Ns = 5000;
    const rows2 = guestRowsFor([run]);
    expect(rows2.map((r) => r.key)).toEqual(expect.arrayContaining(['opsPerSec', 'opLatencyP99']));
    const bars = guestBars(
      GUEST_ROWS.find((r) => r.key === 'opLatencyP99')!,
      [{ run, label: 'r', color: '#000' }],
    );
    expect(bars.datasets[0].data[0]).toBe(5); // µs
  });
});

describe('hardware', () => {
  const hw = makeConfig().hardware;
  it('harvest modes and protection the profile cannot run are disabled with the reason', () => {
    const plain: HardwareProfile = { ...hw, pkvm: false, hafdbs: false };
    const pkvm: HardwareProfile = { ...hw, pkvm: true, hafdbs: true };
    expect(harvestUnavailable('hypercall', plain, false)).toMatch(/only under pKVM/);
    expect(harvestUnavailable('lockless', plain, false)).toMatch(/FEAT_HAFDBS/);
    expect(harvestUnavailable('lockless', plain, true)).toBeNull();
    expect(harvestUnavailable('locked-write', pkvm, false)).toMatch(/impossible under pKVM/);
    expect(harvestUnavailable('hypercall', pkvm, false)).toBeNull();
    expect(protectedUnavailable(plain)).toMatch(/only on pKVM/);
    expect(protectedUnavailable(pkvm)).toBeNull();
  });
  it('the lockless what-if explains itself in the words of the profile’s architecture (x86: EPT/TDP A/D bits)', () => {
    // Negative control (run by hand): the old ReclaimEditor text "no effect: this profile has FEAT_HAFDBS" for
    // every profile fails the x86 expectations below.
    const arm: HardwareProfile = { ...hw, pkvm: false, hafdbs: true, remoteTlbFlush: 'tlbi-broadcast' };
    const x86: HardwareProfile = { ...arm, remoteTlbFlush: 'ipi-kick' };
    expect(locklessWhatIfMoot(arm)).toBe('no effect: this profile has FEAT_HAFDBS');
    expect(locklessWhatIfMoot(x86)).toBe('no effect: this profile has hardware A/D bits in the EPT/TDP tables');
    expect(locklessWhatIfMoot(x86)).not.toMatch(/HAFDBS/);
    expect(locklessWhatIfMoot({ ...x86, hafdbs: false })).toBeNull();
    expect(locklessWhatIfMoot({ ...arm, pkvm: true })).toMatch(/under pKVM/);
    expect(harvestUnavailable('lockless', { ...x86, hafdbs: false }, false)).toMatch(/^needs hardware A\/D bits/);
  });
  it("importing a preset with a built-in profile's id: unchanged selects it, changed is refused", () => {
    const reordered = Object.fromEntries(Object.entries(clone(hw)).reverse()) as HardwareProfile;
    expect(hardwareImport(reordered, [hw])).toEqual({ kind: 'builtin', profile: hw });
    const changed = clone(hw);
    changed.costs.swapIn.ns = 12345;
    const v = hardwareImport(changed, [hw]);
    expect(v.kind).toBe('clash');
    if (v.kind === 'clash') expect(v.message).toMatch(new RegExp(`'${hw.id}'.*swapIn`));
    const flag = { ...clone(hw), pkvm: !hw.pkvm };
    expect(hardwareImport(flag, [hw]).kind).toBe('clash');
    expect(hardwareImport({ ...changed, id: 'mine' }, [hw])).toEqual({ kind: 'new' });
  });
  it('an edited profile exports as a preset: edited id and name, source kept with the original figure', () => {
    const edited = clone(hw);
    edited.costs.swapIn.ns = 12345;
    expect(editedCosts(edited, hw)).toEqual(['swapIn']);
    const { text, fileName } = hardwarePresetText(edited, hw);
    const p = JSON.parse(text);
    expect(p.format).toBe('overcommit-lab-preset');
    expect(p.kind).toBe('hardware');
    expect(p.id).toBe(`${hw.id}-edited`);
    expect(fileName).toBe(`${hw.id}-edited.json`);
    expect(p.costs.swapIn.ns).toBe(12345);
    expect(p.costs.swapIn.source).toContain(hw.costs.swapIn.source);
    expect(p.costs.swapIn.source).toContain(`was ${hw.costs.swapIn.ns} ns`);
  });
  it('an export keeps the optional flags (s2fwb, remoteTlbFlush), so it re-imports with the same mechanisms', () => {
    const x86: HardwareProfile = { ...clone(hw), s2fwb: true, remoteTlbFlush: 'ipi-kick' };
    const p = JSON.parse(hardwarePresetText(x86, x86).text);
    expect([p.s2fwb, p.remoteTlbFlush]).toEqual([true, 'ipi-kick']);
    // Absent flags stay absent (a profile saved before they existed).
    const old = JSON.parse(hardwarePresetText(clone(hw), hw).text);
    expect('remoteTlbFlush' in old).toBe(hw.remoteTlbFlush !== undefined);
  });
});

describe('setup undo history', () => {
  it('undo / redo step through edits; a burst of keystrokes is one step', () => {
    const h = new SetupHistory();
    h.reset('a');
    h.observe('b', 0);
    h.observe('bc', 100); // same burst
    h.observe('d', 100 + COALESCE_MS + 1);
    expect(h.undo()).toBe('bc');
    expect(h.undo()).toBe('a');
    expect(h.undo()).toBeNull();
    expect(h.redo()).toBe('bc');
    expect(h.redo()).toBe('d');
    expect(h.canRedo).toBe(false);
    h.undo();
    h.observe('e', 10_000); // a new edit drops the redo branch
    expect(h.canRedo).toBe(false);
  });
});

describe('heat-map colours', () => {
  it('state mode: young green, old blue, evicted red, untouched black; bin 0 at the bottom', () => {
    const bins = 2;
    const cells = new Uint8Array(5 * bins);
    cells[0 * bins + 0] = 255; // bin 0 resident
    cells[1 * bins + 0] = 255; // young
    cells[3 * bins + 1] = 255; // bin 1 evicted
    expect(binColor(cells, 0, bins, 0, 'state')).toEqual([0, 255, 0]);
    expect(binColor(cells, 0, bins, 1, 'state')).toEqual([255, 0, 0]);
    const img = new Uint8ClampedArray(4 * 2 * bins);
    paintColumn(img, 2, cells, 0, bins, 'state', 0, 2);
    expect([...img.subarray(0, 4)]).toEqual([255, 0, 0, 255]); // top row = bin 1
    expect([...img.subarray(8, 12)]).toEqual([0, 255, 0, 255]);
    expect(columnX(750, 1500, 480)).toBe(240);
  });
});

describe('heat-map readout', () => {
  it('names the guest, the time, the gfn range and each share with its unit', async () => {
    const { cellReadout } = await import('../../renderer/src/lib/heatColors.ts');
    const bins = 2;
    const cells = new Uint8Array(5 * bins * 2);
    const at = 5 * bins; // column 1
    cells[at + 0 * bins + 1] = 255; // bin 1 resident
    cells[at + 1 * bins + 1] = 51; // 20 % young
    cells[at + 2 * bins + 1] = 85; // age 1 generation
    const g = { name: 'web', pages: 10, pagesPerBin: 5, tMs: Float64Array.from([50, 100]), cells };
    expect(cellReadout(g, bins, 'generations', 1, 1)).toBe(
      'web · 0.100 virtual s · gfn 5–9: resident 100%, young 20%, evicted 0%, refaulted 0% of the bin’s pages; mean age 1.0 generations',
    );
  });
});

describe('screen CSV in chunks', () => {
  it('chunks join to the one-string CSV and bytes decode to it, with small chunks', () => {
    const run = makeRunResult(40, 1);
    const meta = { app: 'Overcommit Lab test', exportedAt: '2026-01-01T00:00:00Z' };
    const runs = [{ number: 1, label: 'a', run }];
    const chunks = [...screenCsvChunks(runs, meta, 64)];
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.join('')).toBe(screenCsv(runs, meta));
    expect(new TextDecoder().decode(screenCsvBytes(runs, meta))).toBe(screenCsv(runs, meta));
  });
});
