/**
 * The `npm run lab` CLI end to end: spawns `node scripts/lab.mjs` (which bundles engine/cli/main.ts)
 * with small virtual durations. Also the "every preset runs in CI at small scale" rule: every scenario
 * preset runs on every profile it lists.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../trace/traceFiles.ts';

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function lab(...args: string[]): Ran {
  // Workers were bundled by test/globalSetup.ts; rebundling them here would race with other test files.
  const r = spawnSync(process.execPath, ['scripts/lab.mjs', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, LAB_NO_WORKER_BUILD: '1', LAB_DEBUG: '' },
    timeout: 240_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function expectUsageError(r: Ran, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^lab: /);
  expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // never a stack trace
}

interface JsonRun {
  hardware: string;
  harvest: string;
  deterministic: boolean;
  summary: {
    accesses: number;
    hitRate: number;
    misses: number;
    evictions: number;
    guests: { name: string; pinned: boolean; evictions: number }[];
  };
}

function runsOf(r: Ran): JsonRun[] {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as { runs: JsonRun[] }).runs;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'lab-cli-'));

describe('lab presets', () => {
  it('lists the three profiles, the workloads and the scenarios', () => {
    const r = lab('presets');
    expect(r.code).toBe(0);
    for (const id of ['ampere-altra', 'phone-prev82', 'pkvm', 'zipf-web', 'seed-debate', 'trace-oracle'])
      expect(r.stdout).toContain(id);
  });
});

describe('lab run', () => {
  it('seed-debate runs the three profiles side by side by default (table, no progress bar when piped)', () => {
    const r = lab('run', 'seed-debate', '--duration-ms', '40');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // piped: no progress bar
    const header = r.stdout.split('\n').find((l) => l.includes('ampere-altra') && l.includes('pkvm'));
    expect(header).toMatch(/ampere-altra\s+phone-prev82\s+pkvm/);
    for (const row of ['hit rate', 'refaults', 'eviction precision', 'vCPU stall', 'MMU lock wait', 'aging cost'])
      expect(r.stdout).toMatch(new RegExp(`^${row}\\s`, 'm'));
    // Slowdown vs. unconstrained, for the run and per guest; the pinned pKVM vault is marked.
    expect(r.stdout).toMatch(/^slowdown\s+\d+\.\d\d×\s+\d+\.\d\d×\s+\d+\.\d\d×$/m);
    expect(r.stdout).toMatch(/^ {2}vault\s+\d+\.\d\d×\s+\d+\.\d\d×\s+\d+\.\d\d× \(pinned\)$/m);
    // 40 ms is shorter than the 500 ms refault window: no eviction can be judged yet.
    expect(r.stdout).toMatch(/^eviction precision\s+n\/a\s+n\/a\s+n\/a$/m);
  });

  it('--json prints machine output only; the harvest follows each profile', () => {
    const runs = runsOf(lab('run', 'seed-debate', '--duration-ms', '30', '--json'));
    expect(runs.map((x) => [x.hardware, x.harvest])).toEqual([
      ['ampere-altra', 'lockless'],
      ['phone-prev82', 'locked-write'],
      ['pkvm', 'hypercall'],
    ]);
    for (const x of runs) expect(x.summary.accesses).toBeGreaterThan(0);
    const vault = runs[2].summary.guests.find((g) => g.name === 'vault')!;
    expect(vault.pinned).toBe(true);
    expect(vault.evictions).toBe(0);
  });

  it('--deterministic runs are bit-identical across repeats', () => {
    const args = [
      'run',
      'seed-debate',
      '--profile',
      'phone-prev82',
      '--duration-ms',
      '30',
      '--deterministic',
      '--seed',
      '5',
      '--json',
    ];
    const [a, b] = [runsOf(lab(...args)), runsOf(lab(...args))];
    expect(a[0].deterministic).toBe(true);
    expect(a[0].summary).toEqual(b[0].summary);
  });

  it('an ad-hoc run from --hardware and --workload', () => {
    const runs = runsOf(
      lab('run', '--hardware', 'ampere-altra', '--workload', 'zipf-web,uniform', '--duration-ms', '20', '--json'),
    );
    expect(runs).toHaveLength(1);
    expect(runs[0].summary.guests.map((g) => g.name)).toEqual(['zipf-web-1', 'uniform-2']);
  });

  it('--out writes a session that show and compare read back', () => {
    const a = path.join(tmp, 'a.msgpack');
    const b = path.join(tmp, 'b.msgpack');
    expect(lab('run', 'seed-debate', '--duration-ms', '20', '--out', a, '--json').code).toBe(0);
    expect(lab('run', 'seed-debate', '--profile', 'pkvm', '--duration-ms', '20', '--out', b).code).toBe(0);
    const shown = lab('show', a, '--json');
    expect(shown.code).toBe(0);
    expect((JSON.parse(shown.stdout) as { runs: JsonRun[] }).runs.map((x) => x.hardware)).toEqual([
      'ampere-altra',
      'phone-prev82',
      'pkvm',
    ]);
    // Its runs are on three profiles: the title says so (it named the first profile only, as if all ran there).
    // (The title wraps at the table's width, 100 columns off a terminal: its lines joined.)
    expect(lab('show', a).stdout.split('\n\n')[0].replace(/\n/g, ' ')).toMatch(
      /a\.msgpack: Seed debate: .* — 3 runs on 3 profiles: ampere-altra, phone-prev82, pkvm$/,
    );
    const table = lab('show', b);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^hit rate\s/m);
    const cmp = lab('compare', a, b);
    expect(cmp.code).toBe(0);
    expect(cmp.stdout).toMatch(/a\.msgpack:#1 ampere-altra.*b\.msgpack:pkvm/);
  });
});

describe('bad parameters: one clear line on stderr, exit code 2', () => {
  it.each([
    [['run', 'no-such-scenario'], /unknown scenario 'no-such-scenario' \(known: .*seed-debate/],
    [
      ['run', 'seed-debate', '--profile', 'pkvm', '--harvest', 'lockless'],
      /'lockless' is impossible on hardware 'pkvm' \(pkvm\)/,
    ],
    [['run', 'seed-debate', '--profile', 'nope'], /unknown hardware profile 'nope'/],
    [
      ['run', 'seed-debate', '--duration-ms', '0'],
      /^lab: --duration-ms: must be a number > 0 and <= 3,600,000 \(one virtual hour\), got 0$/,
    ],
    [
      ['run', 'seed-debate', '--duration-ms', '-5'],
      /^lab: --duration-ms: must be a number > 0 and <= 3,600,000 \(one virtual hour\), got -5$/,
    ],
    [
      ['run', 'seed-debate', '--duration-ms', '100', '--sample-ms', '500'],
      /run\.sampleIntervalMs: must be <= durationMs \(100\), got 500/,
    ],
    [
      ['run', '--hardware', 'ampere-altra', '--workload', 'zipf-web', '--swap', 'none'],
      /swap is 'none': evicted pages would have nowhere to go/,
    ],
    [
      ['run', '--hardware', 'ampere-altra', '--workload', 'zipf-web', '--guest-mib', '-4'],
      /^lab: --guest-mib: must be a number > 0 and <= 1,048,576 \(1 TiB\), got -4$/,
    ],
    [
      ['run', '--hardware', 'ampere-altra', '--workload', 'zipf-web', '--guest-mib', '100'],
      /do not fit in the guest's 100 MiB/,
    ],
    [
      // One problem, about the option given (was three, about host.memoryMiB and host.swap.sizeMiB too).
      ['run', '--hardware', 'ampere-altra', '--workload', 'zipf-web', '--guest-mib', '4000000000000'],
      /^lab: --guest-mib: must be a number > 0 and <= 1,048,576 \(1 TiB\), got 4000000000000$/,
    ],
    [['run', '--hardware', 'ampere-altra', '--workload', 'nope'], /unknown workload 'nope'/],
    [['run', 'trace-oracle', '--trace-dir', '/nonexistent'], /trace 'cloudPhysicsIO' not found in \/nonexistent/],
    [['run', 'seed-debate', '--sed', '1'], /unknown option --sed \(did you mean --seed\?\)/],
    [['show', '/nonexistent.msgpack'], /cannot read \/nonexistent\.msgpack: no such file/],
  ])('%j', (argv, message) => {
    expectUsageError(lab(...argv), message);
  });

  it('a corrupt or foreign session file', () => {
    const junk = path.join(tmp, 'junk.msgpack');
    writeFileSync(junk, 'not a session at all');
    expectUsageError(lab('show', junk), /junk\.msgpack: /);
  });

  it('a malformed trace file', () => {
    const bad = path.join(tmp, 'cloudPhysicsIO.csv');
    writeFileSync(bad, 'version,time,op,size,lbn\n1,2,2a,512,xyz\n');
    expectUsageError(
      lab('run', 'trace-oracle', '--trace', bad),
      /bad trace: .*cloudPhysicsIO\.csv: line 2: lbn "xyz" is not a non-negative integer/,
    );
  });
});

describe('every scenario preset runs at small scale on every profile it lists', () => {
  const scenarios = readdirSync(path.join(repoRoot, 'presets', 'scenarios')).map((f) => f.replace(/\.json$/, ''));
  it.each(scenarios)('%s', (id) => {
    const runs = runsOf(lab('run', id, '--profile', 'all', '--duration-ms', '20', '--json'));
    expect(runs.length).toBeGreaterThan(0);
    for (const x of runs) expect(x.summary.accesses).toBeGreaterThan(0);
  });
});

describe('trace oracle through the CLI', () => {
  it('replaying cloudPhysicsIO with exact LRU on 10000 pages misses exactly 79438 times', () => {
    const runs = runsOf(lab('run', 'trace-oracle', '--json'));
    expect(runs[0].summary.accesses).toBe(113872);
    expect(runs[0].summary.misses).toBe(79438);
  });
});

describe('lab reproduce --inputs', () => {
  it('lists every input of a reproduction with its source, runs nothing, and reads the presets (not a copy)', () => {
    const r = lab('reproduce', 'repro-v2-baseline', '--inputs', '--json');
    expect(r.code).toBe(0);
    const infos = JSON.parse(r.stdout) as {
      id: string;
      note: string;
      inputs: { name: string; value: string; source: string }[];
    }[];
    expect(infos.map((i) => i.id)).toEqual(['repro-v2-baseline']);
    const byName = new Map(infos[0].inputs.map((i) => [i.name, i]));
    for (const i of infos[0].inputs) expect(i.source.length).toBeGreaterThan(0);
    expect(byName.get('host memory')?.source).toMatch(/repro-max-guest-memory-v2/);
    expect(byName.get('cost tlbFlushVmid')?.source).toMatch(/^Estimate/);
    expect(byName.get('cost hypercall')?.source).toMatch(/^Measured/);
    const text = lab('reproduce', 'repro-v2-baseline', '--inputs');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/rmap secondary-MMU call\s+clear_young \(no flush\)/);
    // How to read its figure: the published v2 figures are x86's (s9-t).
    expect(text.stdout).toMatch(/^ {2}note: Same test as repro-v1-mglru, so the v2 figures are x86's too/m);
    expect(infos[0]).toMatchObject({ note: expect.stringContaining('--profile x86-workstation') });
    expect(text.stderr).not.toMatch(/running/);
  });
});
