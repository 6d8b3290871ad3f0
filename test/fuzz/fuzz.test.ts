/**
 * The issue-11 fuzzer at test scale (seconds): seeded cases over sessions, presets, scenarios and
 * traces (test/fuzz/cases.ts) with 0 crashes, 0 broken invariants and every refusal under 300
 * characters. `npm run fuzz` (scripts/fuzz.mjs) runs the same cases at scale with a hang watchdog.
 */
import { expect, it } from 'vitest';
import { repoRoot } from '../trace/traceFiles.ts';
import { runFuzz } from './cases.ts';
import { loadSeeds } from './seeds.ts';

it('2000 seeded cases: no crash, no broken invariant, every refusal under 300 characters', () => {
  const stats = runFuzz(loadSeeds(repoRoot), 20261130, 2000);
  console.log(
    `fuzz: ${stats.cases} cases, ${JSON.stringify(stats.byTarget)}, longest refusal ${stats.longestRefusal} chars, slowest ${stats.slowestMs.toFixed(0)} ms (${stats.slowestCase})`,
  );
  expect(stats.findings.slice(0, 5)).toEqual([]);
  expect(stats.longestRefusal).toBeLessThan(300);
}, 120_000);
