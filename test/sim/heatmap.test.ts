/**
 * The stage-2 heat map (engine/core/sim/heatmap.ts) against a slow reference: after a run, the last
 * column of each guest must equal what a per-page reading of the same state gives (page flags, policy
 * tag, and each resident page's stage-2 leaf looked up on its own, no leaf-table shortcut). The sampler
 * must not change a run's numbers, and a run's heat map is bounded (HEAT_MAX_COLUMNS).
 */
import { describe, expect, it } from 'vitest';
import { HEAT_CHANNELS, type ReclaimPolicy } from '../../engine/protocol.ts';
import { atomics } from '../../engine/core/sync/atomics.ts';
import { S2_AF } from '../../engine/core/arch/descriptor.ts';
import { stage2GetLeaf, type Pgt } from '../../engine/core/arch/pgtable.ts';
import type { GuestHeatSampler } from '../../engine/core/sim/heatmap.ts';
import { HEAT_BINS, HEAT_MAX_COLUMNS, pagesPerBin, type HeatSource } from '../../engine/core/sim/heatmap.ts';
import { MAX_NR_GENS } from '../../engine/core/mm/policy/mglru.ts';
import { prepareRun, runInProcess } from '../../engine/core/sim/run.ts';
import { SimWorkerCore } from '../../engine/core/sim/simCore.ts';
import { guestRegions, PG_RESIDENT, PG_SWAPPED } from '../../engine/core/sim/simLayout.ts';
import { debateScenario, hardware } from './fixtures.ts';

const NCH = HEAT_CHANNELS.length;

/** The slow reference: one page at a time, each leaf found by its own descent. */
function reference(src: HeatSource, prevSwapped: Uint8Array, policy: ReclaimPolicy): Uint8Array {
  const per = pagesPerBin(src.pages);
  const out = new Uint8Array(NCH * HEAT_BINS);
  let maxTag = -Infinity;
  for (let gfn = 0; gfn < src.pages; gfn++)
    if (src.flags[gfn] & PG_RESIDENT) maxTag = Math.max(maxTag, src.tag[src.tagBase + gfn]);
  for (let b = 0; b < HEAT_BINS; b++) {
    const lo = b * per;
    const hi = Math.min(src.pages, lo + per);
    if (hi <= lo) continue;
    let res = 0,
      young = 0,
      ev = 0,
      ref = 0,
      tags = 0;
    for (let gfn = lo; gfn < hi; gfn++) {
      const f = src.flags[gfn];
      if (f & PG_RESIDENT) {
        res++;
        if (prevSwapped[gfn]) ref++;
        const t = src.tag[src.tagBase + gfn];
        tags += policy === 'active-inactive' ? (t === 2 ? 1 : 0) : t;
        const w = stage2GetLeaf(src.pgt, gfn * 4096);
        if (w >= 0 && atomics.load(src.pgt.views.i32, w) & S2_AF) young++;
      } else if (f & PG_SWAPPED) ev++;
    }
    const n = hi - lo;
    const byte = (x: number) => Math.round((255 * x) / n);
    out[0 * HEAT_BINS + b] = byte(res);
    out[1 * HEAT_BINS + b] = byte(young);
    out[3 * HEAT_BINS + b] = byte(ev);
    out[4 * HEAT_BINS + b] = byte(ref);
    if (res > 0)
      out[2 * HEAT_BINS + b] =
        policy === 'mglru'
          ? Math.min(255, Math.round((maxTag - tags / res) * (255 / (MAX_NR_GENS - 1))))
          : policy === 'active-inactive'
            ? Math.round((255 * tags) / res)
            : 0;
  }
  return out;
}

function swappedOut(src: HeatSource): Uint8Array {
  return src.flags.map((f) => ((f & PG_SWAPPED) !== 0 && (f & PG_RESIDENT) === 0 ? 1 : 0)) as unknown as Uint8Array;
}

describe('stage-2 heat map sampler', () => {
  for (const policy of ['mglru', 'active-inactive'] as const) {
    it(`equals a per-page reading of the same state, column after column (${policy})`, () => {
      const cfg = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless', policy, durationMs: 120 });
      cfg.host.memoryMiB = 48; // pressure: evictions, refaults, generations
      const p = prepareRun({ ...cfg, run: { ...cfg.run, deterministic: true } }, {}, 1);
      let columns = 0;
      let mismatches = 0;
      let sources: HeatSource[] = [];
      let prev: Uint8Array[] = [];
      const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
        rows: () => {},
        progress: () => {},
        heat: (g, _t, cells) => {
          const want = reference(sources[g], prev[g], policy);
          prev[g] = swappedOut(sources[g]);
          columns++;
          for (let i = 0; i < want.length; i++) if (want[i] !== cells[i]) mismatches++;
        },
      });
      // The sources the sampler reads (the core's guests), rebuilt here from the same buffers.
      const samplers = (core as unknown as { heat: { guest: number; sampler: GuestHeatSampler }[] }).heat;
      sources = samplers.map((h) => (h.sampler as unknown as { src: HeatSource }).src);
      prev = sources.map((s) => new Uint8Array(s.pages));
      core.loop();
      core.close();
      expect(columns).toBeGreaterThan(cfg.guests.length * 3);
      expect(mismatches).toBe(0);
      // The picture is not empty: something resident, something evicted, something young at the end.
      const last = samplers.map((h) => h.sampler.sample());
      const sum = (ch: number) =>
        last.reduce((a, c) => a + c.subarray(ch * HEAT_BINS, (ch + 1) * HEAT_BINS).reduce((x, y) => x + y, 0), 0);
      expect(sum(0)).toBeGreaterThan(0);
      expect(sum(1)).toBeGreaterThan(0);
      expect(sum(3)).toBeGreaterThan(0);
    });
  }

  it('negative control: a flipped access flag changes both the sampler and the reference', () => {
    const cfg = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless', policy: 'mglru', durationMs: 40 });
    const p = prepareRun({ ...cfg, run: { ...cfg.run, deterministic: true } }, {}, 1);
    const core = new SimWorkerCore(p.config, p.plan, p.buffers, 0, {
      rows: () => {},
      progress: () => {},
      heat: () => {},
    });
    core.loop();
    const h = (core as unknown as { heat: { sampler: GuestHeatSampler }[] }).heat[0];
    const src = (h.sampler as unknown as { src: HeatSource }).src;
    const before = reference(src, new Uint8Array(src.pages), 'mglru');
    const sampledBefore = h.sampler.sample();
    // Flip AF of every resident page's leaf in bin 0: the young channel of bin 0 must change.
    const pgt: Pgt = src.pgt;
    for (let gfn = 0; gfn < pagesPerBin(src.pages); gfn++) {
      if (!(src.flags[gfn] & PG_RESIDENT)) continue;
      const w = stage2GetLeaf(pgt, gfn * 4096);
      if (w >= 0) pgt.views.i32[w] ^= S2_AF;
    }
    const after = reference(src, new Uint8Array(src.pages), 'mglru');
    expect(after[HEAT_BINS + 0]).not.toBe(before[HEAT_BINS + 0]);
    const sampledAfter = h.sampler.sample();
    expect(sampledAfter[HEAT_BINS + 0]).not.toBe(sampledBefore[HEAT_BINS + 0]);
    expect(sampledAfter[HEAT_BINS + 0]).toBe(after[HEAT_BINS + 0]);
    core.close();
  });

  it('does not change the run: the same numbers with and without the sampler; columns are bounded', () => {
    const cfg = debateScenario({
      hw: hardware('phone-prev82'),
      harvest: 'locked-write',
      policy: 'mglru',
      durationMs: 100,
    });
    cfg.host.memoryMiB = 48;
    cfg.run.sampleIntervalMs = 0.1; // 1000 rows: the heat map keeps at most HEAT_MAX_COLUMNS columns
    const plain = runInProcess(cfg);
    const heat = runInProcess(cfg, {}, { heatmap: true });
    expect(heat.summary).toEqual(plain.summary);
    expect(plain.heatmap).toBeUndefined();
    const hm = heat.heatmap!;
    expect(hm.guests).toHaveLength(cfg.guests.length);
    for (const g of hm.guests) {
      expect(g.tMs.length).toBeGreaterThan(10);
      expect(g.tMs.length).toBeLessThanOrEqual(HEAT_MAX_COLUMNS + 1);
      expect(g.cells.length).toBe(g.tMs.length * NCH * HEAT_BINS);
      for (let i = 1; i < g.tMs.length; i++) expect(g.tMs[i]).toBeGreaterThan(g.tMs[i - 1]);
    }
    expect(guestRegions(1).words).toBeGreaterThan(0);
  });
});
