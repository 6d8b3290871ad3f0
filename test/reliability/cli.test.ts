/* eslint-disable no-control-regex -- these tests look for control characters in output */
/**
 * Issue 11, CLI defects: 1 (atomic --out, path checked first, Ctrl-C never replaces a file with a
 * partial session), 2 (first Ctrl-C stops, second exits), 4 (trace size limit), 6 (finished runs kept
 * when a later one fails), 7 (stat before read: no /dev/zero, no FIFO), 9 (--trace with another name),
 * 10 (control characters escaped on the terminal). In-process through runCli with a fake context where
 * possible; spawned where the old behaviour would hang or the process needs a ulimit.
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { processContext, runCli } from '../../engine/cli/main.ts';
import type { CliContext } from '../../engine/cli/context.ts';
import { loadTraces } from '../../engine/cli/traces.ts';
import { startRun } from '../../engine/host/engine.ts';
import { decodeSession, encodeSession } from '../../engine/session/index.ts';
import { repoRoot } from '../trace/traceFiles.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'lab-rel-'));

interface Fake {
  ctx: CliContext;
  out: () => string;
  err: () => string;
  interrupt: () => void;
  exits: number[];
  starts: string[];
  /** Resolves at the first 'progress' event past 0 ms of any run the CLI starts: a run is under way. */
  underWay: Promise<void>;
}

function fakeContext(over: Partial<CliContext> = {}): Fake {
  let out = '';
  let err = '';
  let handler: (() => void) | null = null;
  const exits: number[] = [];
  const starts: string[] = [];
  let started!: () => void;
  const underWay = new Promise<void>((r) => (started = r));
  const ctx: CliContext = {
    ...processContext(repoRoot),
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    tty: false,
    onInterrupt: (h) => {
      handler = h;
      return () => void (handler = null);
    },
    exit: (code) => void exits.push(code),
    startRun: (config, options) => {
      starts.push(config.hardware.id);
      return startRun(config, options);
    },
    ...over,
  };
  // Every run's events pass here, whichever startRun the test put in the context.
  const inner = ctx.startRun;
  ctx.startRun = (config, options) =>
    (inner ?? startRun)(config, {
      ...options,
      onEvent: (e) => {
        if (e.type === 'progress' && e.virtualMs > 0) started();
        options.onEvent(e);
      },
    });
  return { ctx, out: () => out, err: () => err, interrupt: () => handler?.(), exits, starts, underWay };
}

/** Long enough that only a stop ends it (one virtual hour on three profiles). */
const LONG = ['run', 'seed-debate', '--duration-ms', '3600000'];

describe('--out (defect 1)', () => {
  it('a bad output path is refused before the first run starts', async () => {
    const f = fakeContext();
    const code = await runCli(
      ['run', 'seed-debate', '--duration-ms', '50', '--out', '/nonexistent/dir/x.msgpack'],
      f.ctx,
    );
    expect(code).toBe(2);
    expect(f.starts).toEqual([]); // no run was started
    expect(f.err()).toMatch(/^lab: --out: cannot write \/nonexistent\/dir\/x\.msgpack: the folder does not exist\n$/);
  });

  it('an existing --out file is refused before the first run unless --force', async () => {
    const out = path.join(tmp, 'older.msgpack');
    writeFileSync(out, 'older runs');
    const f = fakeContext();
    expect(await runCli(['run', 'seed-debate', '--duration-ms', '5', '--out', out], f.ctx)).toBe(2);
    expect(f.starts).toEqual([]); // refused before any run: nothing computed is lost either
    expect(f.err()).toBe(`lab: --out: ${out} already exists; add --force to replace it, or choose another name\n`);
    expect(readFileSync(out, 'utf8')).toBe('older runs');
    const g = fakeContext();
    const argv = ['run', 'seed-debate', '--profile', 'pkvm', '--duration-ms', '5', '--deterministic'];
    expect(await runCli([...argv, '--out', out, '--force'], g.ctx)).toBe(0);
    const s = decodeSession(new Uint8Array(readFileSync(out)));
    expect(s.ok && s.value.runs.map((r) => r.config.hardware.id)).toEqual(['pkvm']);
    expect(g.err()).toBe(`wrote ${out} (1 run)\n`);
  }, 60_000);

  it('a file that appears at --out during the run is not replaced: the session goes to <name>-2', async () => {
    const out = path.join(tmp, 'raced.msgpack');
    const f = fakeContext({
      startRun: (config, options) => {
        writeFileSync(out, 'made by another process meanwhile');
        return startRun(config, options);
      },
    });
    const argv = ['run', 'seed-debate', '--profile', 'pkvm', '--duration-ms', '5', '--deterministic'];
    expect(await runCli([...argv, '--out', out], f.ctx)).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('made by another process meanwhile');
    const moved = path.join(tmp, 'raced-2.msgpack');
    expect(f.err()).toBe(`lab: ${out} left unchanged: it appeared during the run, so 1 run went to ${moved}\n`);
    expect(decodeSession(new Uint8Array(readFileSync(moved))).ok).toBe(true);
    expect(readdirSync(tmp).filter((n) => n.startsWith('.raced'))).toEqual([]); // no temporary file left
  }, 60_000);

  it('Ctrl-C does not replace an existing --out file, even with --force: the partial session goes to a new name', async () => {
    const out = path.join(tmp, 'kept.msgpack');
    writeFileSync(out, 'previous contents');
    const f = fakeContext();
    const done = runCli([...LONG, '--out', out, '--force'], f.ctx);
    // Interrupted once the first run is under way (a fixed 1.5 s wait could end before it started on a
    // loaded machine: then no run would be kept and the test would fail for the wrong reason).
    await f.underWay;
    f.interrupt();
    expect(await done).toBe(130);
    expect(readFileSync(out, 'utf8')).toBe('previous contents');
    const partial = path.join(tmp, 'kept.partial.msgpack');
    expect(f.err()).toContain(`${out} left unchanged: the session is partial, so 1 run went to ${partial}`);
    const s = decodeSession(new Uint8Array(readFileSync(partial)));
    expect(s.ok && s.value.runs.map((r) => r.stopped)).toEqual([true]);
    expect(f.out()).toContain('(stopped early');
  }, 60_000);
});

describe('Ctrl-C (defect 2)', () => {
  it('the first Ctrl-C stops gracefully, the second exits at once', async () => {
    const f = fakeContext();
    const done = runCli(LONG, f.ctx);
    await f.underWay;
    f.interrupt();
    expect(f.err()).toContain('press Ctrl-C again to exit at once');
    expect(f.exits).toEqual([]);
    f.interrupt();
    expect(f.exits).toEqual([130]);
    expect(await done).toBe(130); // (the fake exit returns: the graceful stop still ends the run)
  }, 60_000);
});

describe('a failed run (defect 6)', () => {
  it('loses only itself: the runs that finished are printed and saved', async () => {
    const out = path.join(tmp, 'two-of-three.msgpack');
    const f = fakeContext({
      startRun: (config, options) =>
        startRun(config, { ...options, failAfterQuanta: config.hardware.id === 'phone-prev82' ? 2 : undefined }),
    });
    const code = await runCli(['run', 'seed-debate', '--duration-ms', '40', '--out', out], f.ctx);
    expect(code).toBe(1);
    expect(f.err()).toMatch(/^lab: run on 'phone-prev82' failed: injected crash in worker 0\n/);
    expect(f.out()).toMatch(/^\s+ampere-altra\s+pkvm$/m); // the table of the two that finished
    const s = decodeSession(new Uint8Array(readFileSync(out)));
    expect(s.ok && s.value.runs.map((r) => r.config.hardware.id)).toEqual(['ampere-altra', 'pkvm']);
  }, 60_000);
});

describe('--trace (defect 9) and trace size (defect 4)', () => {
  it('a --trace file no workload replays is refused, not silently ignored', async () => {
    const file = path.join(tmp, 'otherName.txt');
    writeFileSync(file, '1\n2\n');
    const f = fakeContext();
    expect(await runCli(['run', 'trace-oracle', '--trace', file, '--duration-ms', '10'], f.ctx)).toBe(2);
    expect(f.err()).toMatch(/no workload replays a trace named 'otherName' \(the runs replay 'cloudPhysicsIO'/);
    expect(f.starts).toEqual([]);
  });

  it('a trace file above the size limit is refused by its stat, before a byte is read', () => {
    const file = path.join(tmp, 'big.txt');
    writeFileSync(file, '1\n'.repeat(1000));
    expect(() => loadTraces(['big'], [file], tmp, 1000)).toThrow(
      /trace .*big\.txt is too large \(0\.0 MiB; the limit is 0\.0 MiB\)/,
    );
    expect(loadTraces(['big'], [file], tmp, 4000).get('big')?.requests).toBe(1000);
  });
});

describe('terminal output (defect 10)', () => {
  it('strings from a session reach the terminal with control characters escaped', async () => {
    const file = path.join(tmp, 'plain.msgpack');
    const f = fakeContext();
    expect(
      await runCli(['run', 'seed-debate', '--profile', 'ampere-altra', '--duration-ms', '20', '--out', file], f.ctx),
    ).toBe(0);
    const s = decodeSession(new Uint8Array(readFileSync(file)));
    if (!s.ok) throw new Error(s.error.message);
    s.value.draft.name = 'evil \u001b]0;owned\u0007\u001b[2J name';
    s.value.runs[0].summary.guests[0].name = '\u009b31mred';
    const evil = path.join(tmp, 'evil.msgpack');
    writeFileSync(evil, encodeSession(s.value));
    for (const args of [
      ['show', evil],
      ['compare', evil, evil],
      ['show', evil, '--json'],
    ]) {
      const g = fakeContext();
      expect(await runCli(args, g.ctx)).toBe(0);
      expect(g.out()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    }
    const g = fakeContext();
    await runCli(['show', evil], g.ctx);
    expect(g.out()).toContain('evil \\x1b]0;owned\\x07\\x1b[2J name');
  }, 60_000);
});

describe('spawned: file-size limit and non-regular files (defects 1 and 7)', () => {
  const bundle = path.join(repoRoot, '.cache', 'cli', 'lab.mjs');
  const env = { ...process.env, LAB_NO_WORKER_BUILD: '1', LAB_DEBUG: '' };
  /** The bundled CLI run directly (no esbuild step: a ulimit must not hit the bundler's writes). */
  const runner = path.join(tmp, 'run-lab.mjs');
  writeFileSync(
    runner,
    `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});\n` +
      `process.exit(await m.runCli(process.argv.slice(2), m.processContext(${JSON.stringify(repoRoot)})));\n`,
  );
  const direct = (args: string[], shellPrefix = '') =>
    spawnSync('bash', ['-c', `${shellPrefix} exec "${process.execPath}" "${runner}" "$@"`, 'lab', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      env,
      timeout: 60_000,
    });

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/lab.mjs', 'help'], { cwd: repoRoot, env, stdio: 'ignore' });
  }, 120_000);

  it('a write that fails part-way (ulimit -f 8) leaves the previous file intact and says why', () => {
    const dir = mkdtempSync(path.join(tmp, 'ulimit-'));
    const out = path.join(dir, 'a.msgpack');
    const previous = 'previous session '.repeat(3000); // 51 KB, above the limit itself
    writeFileSync(out, previous);
    const r = direct(
      [
        ...['run', 'seed-debate', '--profile', 'ampere-altra', '--duration-ms', '400', '--sample-ms', '1'],
        ...['--out', out, '--force'],
      ],
      'ulimit -f 8;',
    );
    expect(r.stderr).toMatch(
      /^lab: cannot write .*a\.msgpack: the file size limit was reached .*; the previous file is unchanged$/m,
    );
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^hit rate\s/m); // the results were printed anyway
    expect(readFileSync(out, 'utf8')).toBe(previous);
    expect(readdirSync(dir)).toEqual(['a.msgpack']); // no temporary file left behind
  }, 90_000);

  it('show refuses /dev/zero and a FIFO at once (stat before read)', () => {
    const fifo = path.join(tmp, 'pipe.msgpack');
    if (!existsSync(fifo)) execFileSync('mkfifo', [fifo]);
    for (const file of ['/dev/zero', fifo]) {
      const r = direct(['show', file]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^lab: session .* is not a regular file/);
    }
  }, 90_000);
});
