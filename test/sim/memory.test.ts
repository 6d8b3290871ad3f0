/**
 * Scale: the simulator's memory per guest page (plan.simBytesPerPage) stays at or under 24 bytes, so a
 * 64 GiB guest (16 Mi pages) fits in about 400 MB; and a 64-vCPU guest runs.
 */
import { describe, expect, it } from 'vitest';
import { planRun, simBytesPerPage } from '../../engine/core/sim/plan.ts';
import { createSimBuffers } from '../../engine/core/sim/simLayout.ts';
import { runInProcess } from '../../engine/core/sim/run.ts';
import { debateScenario, hardware } from './fixtures.ts';

describe('simulator memory per guest page', () => {
  it('<= 24 bytes for a 64 GiB guest, and the shared buffers are what the figure counts', () => {
    const c = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless' });
    c.guests = [{ ...c.guests[0], memoryMiB: 64 * 1024, vcpus: 64 }];
    c.host = { ...c.host, memoryMiB: 48 * 1024, swap: { device: 'zram', sizeMiB: 32 * 1024 } };
    const plan = planRun(c, 1);
    expect(simBytesPerPage(plan)).toBeLessThanOrEqual(24);
    // The per-page shared buffers: one flag byte and one float32 eviction time per page.
    const small = planRun({ ...c, guests: [{ ...c.guests[0], memoryMiB: 64 }] }, 1);
    const b = createSimBuffers(small.guestPages, [null], new SharedArrayBuffer(8), 1);
    expect(b.pagesF64[0].byteLength).toBe(small.guestPages[0] * 4);
    expect(b.pagesI32[0].byteLength).toBeLessThan((small.guestPages[0] / 4) * 4 + 1024);
  });

  it('a 64-vCPU guest runs (every vCPU makes progress)', () => {
    const c = debateScenario({ hw: hardware('ampere-altra'), harvest: 'lockless', durationMs: 10 });
    c.guests = [{ ...c.guests[0], vcpus: 64 }];
    const s = runInProcess(c).summary;
    expect(s.accesses).toBeGreaterThan(64 * 100);
  });
});
