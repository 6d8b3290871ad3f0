/**
 * A user of the app (browser edition included) loading a preset that replays a trace is told where to
 * get the file: the CLI finds ../shared/data/traces itself, the app cannot. Control (run by hand): the
 * old hint ("load cloudPhysicsIO.txt (or .csv, .oracleGeneral.bin), or drop the file here.") fails the
 * first case.
 */
import { describe, expect, it } from 'vitest';
import { TRACE_SOURCES as ENGINE_SOURCES } from '../../engine/core/trace/sources.ts';
import { TRACE_SOURCES, traceMissingHint } from '../../renderer/src/lib/help.ts';
import { loadPresetDir } from '../../presets/node.ts';

describe('the hint of a trace not loaded', () => {
  it('says where to get the trace the trace-oracle preset replays', () => {
    const hint = traceMissingHint('cloudPhysicsIO');
    expect(hint).toMatch(/^Trace “cloudPhysicsIO” is not loaded: load cloudPhysicsIO\.txt/);
    expect(hint).toContain('github.com/1a1a11a/libCacheSim, folder data/');
    expect(hint).toContain('../shared/data/traces');
  });

  it('a trace no preset names gets the generic hint', () => {
    expect(traceMissingHint('mine')).toBe(
      'Trace “mine” is not loaded: load mine.txt (or .csv, .oracleGeneral.bin), or drop the file here.',
    );
    expect(traceMissingHint('constructor')).toMatch(/or \.csv/);
  });

  it("the renderer's copy of the sources equals the engine's, and every trace a preset names has one", () => {
    expect(TRACE_SOURCES).toEqual(ENGINE_SOURCES);
    const named = new Set<string>();
    const { set } = loadPresetDir();
    for (const w of set.workloads.values()) if (w.workload.kind === 'trace') named.add(w.workload.trace);
    for (const s of set.scenarios.values())
      for (const g of s.guests)
        if (typeof g.workload === 'object' && g.workload.kind === 'trace') named.add(g.workload.trace);
    expect([...named].sort()).toEqual(Object.keys(TRACE_SOURCES).sort());
  });
});
