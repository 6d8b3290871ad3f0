// The memcached reproduction's host watermarks are the kernel's defaults for the published host, as a
// fraction of node 0 (the lab's host is node 0 scaled down; what the free pool takes from the hot set is
// a share of the frames, so the share is what must match). Kernel (mm/page_alloc.c, 6.x):
// - calculate_min_free_kbytes: min_free_kbytes = clamp(int_sqrt(lowmem_kbytes * 16), 128, 262144), where
//   lowmem_kbytes = nr_free_buffer_pages() in KiB: the managed pages of every zone on node 0's fallback
//   zonelist, both nodes (at boot the watermarks it subtracts are still 0);
// - __setup_per_zone_wmarks: a zone's min = pages_min * its managed pages / lowmem pages; tmp =
//   max(min / 4, managed * watermark_scale_factor / 10000), watermark_scale_factor 10 by default;
//   low = min + tmp, high = min + 2 * tmp. Summed over node 0's zones the fractions are the node's.
// Published host: 2 x 64 Neoverse-N1 cores, node 0 = 257,730 MiB (the Spark mail, same host); node 1
// taken to be the same size (the mail gives ~512 GB in all).
// Hand computation: lowmem_kbytes = 2 * 257,730 * 1024 = 527,831,040; * 16 = 8,445,296,640;
// int_sqrt = 91,898 (91,898^2 = 8,445,242,404 <= it < 91,899^2 = 8,445,426,201); node 0's min = 45,949 KiB
// = 0.017410 % of 263,915,520 KiB; tmp = max(11,487, 263,915) KiB = 0.1 %; low 0.117410 %, high 0.217410 %.
// Negative control (run when written): with the preset's earlier 1 / 2 / 3 % the second test fails.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../trace/traceFiles.ts';

function kernelWatermarkPct(nodeMiB: number[], node: number, watermarkScaleFactor = 10) {
  const kib = nodeMiB.map((m) => m * 1024);
  const lowmemKbytes = kib.reduce((a, b) => a + b, 0);
  const minFreeKbytes = Math.min(262_144, Math.max(128, Math.floor(Math.sqrt(lowmemKbytes * 16))));
  const min = (minFreeKbytes * kib[node]) / lowmemKbytes;
  const tmp = Math.max(min / 4, (kib[node] * watermarkScaleFactor) / 10_000);
  const pct = (x: number) => (100 * x) / kib[node];
  return { minFreeKbytes, minPct: pct(min), lowPct: pct(min + tmp), highPct: pct(min + 2 * tmp) };
}

describe('repro-memcached-arm64 host watermarks', () => {
  it('the formula gives the hand-computed figures for the published host', () => {
    const w = kernelWatermarkPct([257_730, 257_730], 0);
    expect(w.minFreeKbytes).toBe(91_898);
    expect(w.minPct).toBeCloseTo(0.01741, 5);
    expect(w.lowPct).toBeCloseTo(0.11741, 5);
    expect(w.highPct).toBeCloseTo(0.21741, 5);
  });

  it("are the kernel's defaults for node 0 of the published host (to the preset's 4 decimals)", () => {
    const preset = JSON.parse(
      readFileSync(path.join(repoRoot, 'presets/scenarios/repro-memcached-arm64.json'), 'utf8'),
    ) as { host: { watermarks: { minPct: number; lowPct: number; highPct: number } } };
    const w = kernelWatermarkPct([257_730, 257_730], 0);
    const got = preset.host.watermarks;
    expect(Math.abs(got.minPct - w.minPct)).toBeLessThan(5e-5);
    expect(Math.abs(got.lowPct - w.lowPct)).toBeLessThan(5e-5);
    expect(Math.abs(got.highPct - w.highPct)).toBeLessThan(5e-5);
  });
});
