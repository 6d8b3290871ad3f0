// Session v2: a run's stage-2 heat map round-trips byte for byte; its shape is checked strictly; v1 files open.
import { describe, expect, it } from 'vitest';
import { Packr } from 'msgpackr';
import { HEAT_CHANNELS, type RunHeatmap } from '../../engine/protocol.ts';
import { decodeSession, encodeSession } from '../../engine/session/index.ts';
import { makeRunResult, makeSession } from './fixtures.ts';

const packr = new Packr({ moreTypes: true, useRecords: false });
const BINS = 8;

function heatmap(columns: number): RunHeatmap {
  const cells = new Uint8Array(columns * HEAT_CHANNELS.length * BINS);
  for (let i = 0; i < cells.length; i++) cells[i] = (i * 37) & 255;
  return {
    bins: BINS,
    ageKind: 'generations',
    guests: [
      { name: 'web', pages: 64, pagesPerBin: 8, tMs: Float64Array.from({ length: columns }, (_, i) => i * 5), cells },
    ],
  };
}

describe('session heat maps (v2)', () => {
  it('round-trip byte for byte', () => {
    const run = makeRunResult(20, 3);
    run.heatmap = heatmap(6);
    const s = makeSession([run, makeRunResult(5, 4)]);
    const r = decodeSession(encodeSession(s));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.runs[0].heatmap).toEqual(run.heatmap);
    expect(r.value.runs[0].heatmap?.guests[0].cells).toBeInstanceOf(Uint8Array);
    expect(r.value.runs[1].heatmap).toBeUndefined();
  });

  it('refuses a heat map whose cells do not match its columns, naming the path', () => {
    const run = makeRunResult(20, 3);
    run.heatmap = heatmap(6);
    run.heatmap.guests[0].cells = run.heatmap.guests[0].cells.subarray(1);
    const r = decodeSession(packr.pack(makeSession([run])));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/runs\[0\]\.heatmap\.guests\[0\]\.cells: holds 239 bytes, expected 240/);
  });

  it('refuses unknown keys and bad age kinds', () => {
    const run = makeRunResult(20, 3);
    run.heatmap = { ...heatmap(2), extra: 1 } as unknown as RunHeatmap;
    const r = decodeSession(packr.pack(makeSession([run])));
    expect(!r.ok && r.error.message).toMatch(/heatmap\.extra: unknown key/);
    const run2 = makeRunResult(20, 3);
    run2.heatmap = { ...heatmap(2), ageKind: 'lru' as 'none' };
    const r2 = decodeSession(packr.pack(makeSession([run2])));
    expect(!r2.ok && r2.error.message).toMatch(/heatmap\.ageKind: expected one of generations, inactive, none/);
  });

  it('opens a v1 session (no heat maps)', () => {
    const s = { ...makeSession(), version: 1 };
    const r = decodeSession(packr.pack(s));
    expect(r.ok).toBe(true);
  });
});
