/**
 * The example sweep spec the README points to (docs/examples/sweep-capacity.json) exists, is where the
 * README says (`npm run lab -- sweep PATH` runs from the repository root, npm's cwd for scripts) and
 * plans: every point validated by the same code as `lab sweep` (prepareSweep: presets, traces, then
 * planSweep), without running it. Control: before s15-k there was no example and this fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../engine/cli/context.ts';
import { prepareSweep } from '../../engine/cli/sweepCommand.ts';
import { defaultPresetDir } from '../../presets/node.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const EXAMPLE = 'docs/examples/sweep-capacity.json';

describe('the example sweep spec', () => {
  it("is named in the README's sweep lines", () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`npm run lab -- sweep ${EXAMPLE.replace(/\./g, '\\.')} `));
    expect(existsSync(path.join(repoRoot, EXAMPLE))).toBe(true);
  });

  it('plans as `lab sweep` plans it: 3 capacities × 2 policies × 1 seed, the capacities in pages', () => {
    const ctx = { root: repoRoot, presetDir: defaultPresetDir } as CliContext;
    const { plan, traces } = prepareSweep({ spec: path.join(repoRoot, EXAMPLE), traceFiles: [], yes: false }, ctx);
    expect(plan.record.points.map((p) => p.label)).toEqual([
      'host 3.90625 MiB · exact-lru',
      'host 3.90625 MiB · clock',
      'host 39.0625 MiB · exact-lru',
      'host 39.0625 MiB · clock',
      'host 97.6563 MiB · exact-lru', // labels round to 6 significant digits
      'host 97.6563 MiB · clock',
    ]);
    // 1000, 10000 and 25000 pages of 4 KiB: the reference capacities of ../shared/data/traces/README.md.
    expect(plan.configs.map((c) => c.host.memoryMiB * 256)).toEqual([1000, 1000, 10000, 10000, 25000, 25000]);
    expect(Object.keys(traces)).toHaveLength(1);
  });
});
