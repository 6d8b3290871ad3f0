/**
 * `npm run lab` as a child process for the sweep and queue tests: `lab(...)` waits for the exit,
 * `labSpawn(...)` starts it (a queue worker, a submitter) and collects its output as it comes.
 * Workers were bundled by test/globalSetup.ts (LAB_NO_WORKER_BUILD: rebundling here would race).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { processContext, runCli } from '../../engine/cli/main.ts';
import { repoRoot } from '../trace/traceFiles.ts';

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

const env = { ...process.env, LAB_NO_WORKER_BUILD: '1', LAB_DEBUG: '' };

export function lab(...args: string[]): Ran {
  const r = spawnSync(process.execPath, ['scripts/lab.mjs', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env,
    timeout: 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Spawned {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Resolves when stdout has a line matching `re` (rejects after `ms`). */
  waitFor: (re: RegExp, ms?: number) => Promise<string>;
  exited: Promise<number | null>;
}

export function labSpawn(...args: string[]): Spawned {
  const child = spawn(process.execPath, ['scripts/lab.mjs', ...args], { cwd: repoRoot, env });
  let out = '';
  let err = '';
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of [...waiters]) {
      const line = out.split('\n').find((l) => w.re.test(l));
      if (line) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // 'close', not 'exit': the child's stdout and stderr are read to their end, so out() is complete.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    out: () => out,
    err: () => err,
    exited,
    waitFor: (re, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const line = out.split('\n').find((l) => re.test(l));
        if (line) return resolve(line);
        waiters.push({ re, resolve });
        setTimeout(
          () => reject(new Error(`no line matching ${re} within ${ms} ms; stdout: ${out}; stderr: ${err}`)),
          ms,
        );
      }),
  };
}

export function expectUsageError(r: Ran, message: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^lab: /);
  expect(lines[0]).toMatch(message);
}

/**
 * The CLI in this process (engine/cli/main.ts runCli with captured output): for checks of bad input,
 * which need no bundle build per call. Same exit codes and output as `lab`.
 */
export async function labHere(...args: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const ctx = {
    ...processContext(repoRoot),
    stdout: (s: string) => void (stdout += s),
    stderr: (s: string) => void (stderr += s),
    tty: false,
    onInterrupt: () => () => {},
  };
  const code = await runCli(args, ctx);
  return { code, stdout, stderr };
}
