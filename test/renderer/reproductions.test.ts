/**
 * The Reproductions view's pure helpers (renderer/src/lib/reproductions.ts) and the browser edition's
 * reproduction methods (web/labApi.ts over engine/host/reproduceService.ts): the table has one row per
 * figure with the lab value only once a result is there, numbers print as `lab reproduce` prints them,
 * each run of a result becomes one labelled curve of its own samples, and events reach the page's
 * listeners (an unavailable service is a clear Result error).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReproEvent, ReproductionInfo, ReproductionResult, RunResult } from '../../engine/protocol.ts';
import {
  formatFigure,
  REPRO_CHARTS,
  reproResultKey,
  reproRows,
  run2Ms,
  runSources,
} from '../../renderer/src/lib/reproductions.ts';
import { seriesFor } from '../../renderer/src/lib/series.ts';
import { createBrowserLabApi, type BrowserDeps } from '../../web/labApi.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { makeRunResult } from '../session/fixtures.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const info = (id: string, figures: string[]): ReproductionInfo => ({
  id,
  title: `${id} title`,
  source: 'lore.kernel.org/r/x',
  note: `${id} note`,
  scenario: 'repro-x',
  scenarioName: 'x',
  description: 'd',
  variants: [],
  figures: figures.map((f, i) => ({
    id: f,
    label: `${f} label`,
    published: 1.5 + i,
    band: [1, 2],
    bandText: '[1, 2]',
  })),
  inputs: [],
});

function result(id: string): ReproductionResult {
  const run = (key: string, harvest: 'lockless' | 'locked-write', scale: number) => {
    const r = makeRunResult(4);
    const samples = { ...r.samples, throughput: r.samples.throughput.map((x) => x * scale) };
    return { key, harvest, policy: 'mglru' as const, summary: r.summary, samples, wallMs: 1234 };
  };
  return {
    id,
    figures: [
      { id: 'a', label: 'a label', published: 1.5, band: [1, 2], bandText: '[1, 2]', lab: 1234.5, inBand: false },
    ],
    runs: [run('before', 'locked-write', 1), run('after', 'lockless', 2)],
  };
}

describe('Reproductions view helpers', () => {
  it('formats figures as the CLI does', () => {
    expect(formatFigure(1.52334)).toBe('1.523');
    expect(formatFigure(-0.4133)).toBe('-0.413');
    expect(formatFigure(1234.5)).toBe('1235');
    expect(formatFigure(Number.NaN)).toBe('n/a');
  });

  it('one row per figure; lab and in-band only for reproductions with a result', () => {
    const rows = reproRows([info('r1', ['a', 'b']), info('r2', ['c'])], { r1: result('r1') });
    expect(rows.map((r) => [r.id, r.figure, r.first, r.span, r.published, r.band, r.lab, r.inBand])).toEqual([
      ['r1', 'a', true, 2, '1.500', '[1, 2]', '1235', false],
      // Figure b has no value in the result: no lab value is shown for it.
      ['r1', 'b', false, 2, '2.500', '[1, 2]', undefined, undefined],
      ['r2', 'c', true, 1, '1.500', '[1, 2]', undefined, undefined],
    ]);
    // The note (how to read the figures) follows each reproduction's last figure, with or without a result.
    expect(rows.map((r) => [r.figure, r.last, r.note])).toEqual([
      ['a', false, 'r1 note'],
      ['b', true, 'r1 note'],
      ['c', true, 'r2 note'],
    ]);
  });

  it('a what-if files its results apart: the rows show the hardware chosen, never another one’s result', () => {
    const whatIf = { ...result('r1'), profile: 'x86-workstation' };
    whatIf.figures = [{ ...whatIf.figures[0], lab: 5.25, inBand: true }];
    const results = {
      [reproResultKey('r1', undefined)]: result('r1'),
      [reproResultKey('r1', 'x86-workstation')]: whatIf,
    };
    expect(Object.keys(results)).toEqual(['r1', 'r1@x86-workstation']);
    const lab = (profile?: string) => reproRows([info('r1', ['a'])], results, profile).map((r) => [r.lab, r.inBand]);
    expect(lab()).toEqual([['1235', false]]);
    expect(lab('x86-workstation')).toEqual([['5.250', true]]);
    expect(lab('pkvm')).toEqual([[undefined, undefined]]);
  });

  it("a run's run 2 time is its second pass's end minus its first's; none without a second pass", () => {
    const base = makeRunResult(2).summary;
    const withPasses = (passEndMs?: number[]) => ({ ...base, guests: [{ ...base.guests[0], passEndMs }] });
    expect(run2Ms(withPasses([107.5, 216.25]))).toBe(108.75);
    expect(run2Ms(withPasses([107.5]))).toBeUndefined();
    expect(run2Ms(withPasses(undefined))).toBeUndefined();
  });

  it('each run is one curve of its own samples, labelled by what it changes', () => {
    const r = result('r1');
    const sources = runSources(r);
    expect(sources.map((s) => s.label)).toEqual(['before: locked-write, mglru', 'after: lockless, mglru']);
    const rate = REPRO_CHARTS.find((c) => c.column === 'throughput')!;
    const [before, after] = seriesFor(rate, sources);
    // A value the engine did not produce (NaN) is a gap, never a number.
    const ys = (a: Float64Array) => Array.from(a, (v) => (Number.isFinite(v) ? v : null));
    expect(before.points.map((p) => p.y)).toEqual(ys(r.runs[0].samples.throughput));
    expect(after.points.map((p) => p.y)).toEqual(ys(r.runs[1].samples.throughput));
    expect(before.points.map((p) => p.x)).toEqual(Array.from(r.runs[0].samples.tMs).map((t) => t / 1000));
    expect(before.color).not.toBe(after.color);
    expect(REPRO_CHARTS.map((c) => c.column)).toEqual(['throughput', 'hitRate', 'lockWaitNs']);
  });
});

describe('browser LabApi reproductions', () => {
  const base: BrowserDeps = {
    startRun: () => ({ ok: false, error: { name: 'ValidationError', message: 'bad' } }),
    listPresets: async () => ({ hardware: [], workloads: [], scenarios: [] }),
    parseHardwarePreset: () => ({ ok: false, error: { name: 'ValidationError', message: 'nope' } }),
    promptFileName: () => null,
  };

  it('without a reproduction service: a clear Result error', async () => {
    const api = createBrowserLabApi(base);
    expect(await api.listReproductions()).toMatchObject({ ok: false, error: { name: 'ReproductionsUnavailable' } });
    expect(await api.startReproductions(['repro-v2-baseline'])).toMatchObject({ ok: false });
  });

  it('lists from the presets, runs in the background, delivers events to the listeners, stops by job id', async () => {
    const stops: number[] = [];
    let n = 0;
    const api = createBrowserLabApi({
      ...base,
      reproductions: {
        presets: () => loadPresetDir(path.join(repoRoot, 'presets')).set,
        concurrency: () => 1,
        startRun: (config) => {
          const i = n++;
          let stop = () => {};
          const done = new Promise<RunResult>((resolve) => {
            if (i === 0) setTimeout(() => resolve({ ...makeRunResult(2), config }), 1);
            stop = () => {
              stops.push(i);
              resolve({ ...makeRunResult(2), config, stopped: true });
            };
          });
          return { done, stop: () => stop() };
        },
      },
    });
    const list = await api.listReproductions();
    expect(list.ok && list.value.map((r) => r.id)).toContain('repro-memcached-arm64');
    const events: ReproEvent[] = [];
    const off = api.onReproductionEvent((e) => events.push(e));
    const r = await api.startReproductions(['repro-memcached-arm64']);
    if (!r.ok) throw new Error(r.error.message);
    await new Promise((res) => setTimeout(res, 20));
    expect(events.some((e) => e.type === 'repro-progress' && e.done === 1 && e.total === 2)).toBe(true);
    await api.stopReproductions(r.value.jobId);
    await new Promise((res) => setTimeout(res, 0));
    expect(stops).toEqual([1]);
    expect(events.at(-1)).toEqual({ type: 'repro-done', jobId: r.value.jobId, stopped: true });
    off();
  });
});
