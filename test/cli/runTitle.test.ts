/**
 * `lab run <scenario>` titles its table with the preset's name, which may state what --set changed
 * ('Trace oracle: cloudPhysicsIO, exact LRU, 10000 pages' over a CLOCK run on 1000 pages: s16-g's
 * new-user pass of the README's --set example). The line under the title names the options that
 * changed the config. Control: without the line, the in-process test fails.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs, type RunArgs } from '../../engine/cli/args.ts';
import { processContext, runCli } from '../../engine/cli/main.ts';
import { changedFromPreset } from '../../engine/cli/runCommand.ts';
import type { CliContext } from '../../engine/cli/context.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const changed = (...argv: string[]): string => changedFromPreset(parseArgs(['run', ...argv]) as RunArgs);

describe('lab run: what changed from the scenario', () => {
  it('lists --harvest, --policy, --duration-ms and every --set, in that order; nothing when none', () => {
    expect(changed('seed-debate')).toBe('');
    expect(changed('seed-debate', '--seed', '7', '--deterministic', '--profile', 'pkvm')).toBe('');
    expect(
      changed('trace-oracle', '--set', 'host.memoryMiB=3.90625', '--policy', 'clock', '--set', 'reclaim.harvest=none'),
    ).toBe('changed from the scenario: --policy clock --set host.memoryMiB=3.90625 --set reclaim.harvest=none');
    expect(changed('seed-debate', '--harvest', 'locked-write', '--duration-ms', '20')).toBe(
      'changed from the scenario: --harvest locked-write --duration-ms 20',
    );
    // An ad-hoc run has no scenario whose name could disagree.
    expect(changed('--hardware', 'ampere-altra', '--workload', 'zipf-web', '--duration-ms', '20')).toBe('');
  });

  it('is printed under the title, before the table', async () => {
    let out = '';
    const ctx: CliContext = {
      ...processContext(repoRoot),
      stdout: (s) => void (out += s),
      stderr: () => {},
      tty: false,
    };
    const argv = [
      'run',
      'seed-debate',
      '--profile',
      'ampere-altra',
      '--duration-ms',
      '20',
      '--set',
      'host.memoryMiB=768',
    ];
    expect(await runCli(argv, ctx)).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^seed-debate: Seed debate/);
    expect(lines[1]).toBe('changed from the scenario: --duration-ms 20 --set host.memoryMiB=768');
    expect(lines[2]).toBe('');
    expect(lines[3]).toMatch(/^\s+ampere-altra$/);
  }, 60_000);
});
