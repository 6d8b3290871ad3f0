/** Seed inputs for the fuzzer (Node side): the shipped preset files, a session from the test fixtures, a sweep. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeSession } from '../../engine/session/index.ts';
import { makeSession } from '../session/fixtures.ts';
import type { Seeds } from './cases.ts';

export function loadSeeds(root: string): Seeds {
  const presets: Record<string, string> = {};
  for (const dir of ['hardware', 'workloads', 'scenarios'])
    for (const f of readdirSync(path.join(root, 'presets', dir)).sort())
      if (f.endsWith('.json')) presets[`${dir}/${f}`] = readFileSync(path.join(root, 'presets', dir, f), 'utf8');
  const session = makeSession();
  const sweep = {
    scenario: 'seed-debate',
    axes: { 'host.swap.sizeMiB': [2048, 4096], 'reclaim.policy': ['mglru', 'clock'] },
    seeds: [1, 2],
    set: { 'run.durationMs': 100 },
  };
  return { session: encodeSession(session), presets, scenario: session.runs[0].config, sweep };
}
