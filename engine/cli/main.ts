/**
 * The `npm run lab` command line. scripts/lab.mjs bundles this file with esbuild and calls runCli.
 * Exit codes: 0 ok, 1 a run failed (or presets are broken), 2 bad parameters (one line on stderr,
 * never a stack trace), 130 interrupted by Ctrl-C (partial results are still printed).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nodeCores, nodeSimWorkerPools } from '../host/node/spawn.ts';
import { RUN_OPTIONS_HELP, USAGE_COMMANDS, UsageError, oneLine, parseArgs, type CliArgs } from './args.ts';
import type { CliContext } from './context.ts';
import { clip, termSafe } from './format.ts';
import { presetCommand, presetsCommand } from './presetsCommand.ts';
import { reproduceCommand } from './reproduce.ts';
import { runCommand } from './runCommand.ts';
import { compareCommand, showCommand } from './sessionCommands.ts';
import { RUN_HELP, SWEEP_COMMANDS, SWEEP_SPEC_HELP } from './sweepArgs.ts';
import { sweepCommand } from './sweepCommand.ts';
import { workerCommand } from './workerCommand.ts';

export function processContext(root: string): CliContext {
  let appVersion = '0.0.0';
  try {
    appVersion = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    /* informational only */
  }
  const workerPath = path.join(root, '.cache', 'workers', 'sim-worker.mjs');
  // Kept workers: a command with several runs (run over profiles, sweep, reproduce, worker) starts each
  // worker once; idle ones never hold the process (workerPool.ts) and end when the command is done.
  const loneWorkerPath = path.join(root, '.cache', 'workers', 'sim-worker-lone.mjs');
  const pool = nodeSimWorkerPools(workerPath, loneWorkerPath, { maxIdle: Math.max(4, nodeCores()) });
  return {
    root,
    presetDir: path.join(root, 'presets'),
    workerPath,
    loneWorkerPath,
    spawnWorker: pool.spawn,
    closeWorkers: () => pool.close(),
    appVersion,
    cores: nodeCores(),
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    tty: process.stderr.isTTY === true,
    columns: process.stdout.isTTY === true ? process.stdout.columns : undefined,
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => void process.off('SIGINT', handler);
    },
    exit: (code) => process.exit(code),
  };
}

export async function runCli(argv: readonly string[], ctx: CliContext): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
    return await dispatch(args, ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      ctx.stderr(`lab: ${termSafe(clip(oneLine(e.message)))}\n`);
      return 2;
    }
    // Unexpected: still one line (the message), not a stack trace; LAB_DEBUG=1 shows the stack.
    const err = e instanceof Error ? e : new Error(String(e));
    ctx.stderr(`lab: ${err.name === 'ConfigError' ? '' : 'internal error: '}${termSafe(clip(oneLine(err.message)))}\n`);
    if (process.env.LAB_DEBUG) ctx.stderr(`${err.stack}\n`);
    return err.name === 'ConfigError' ? 2 : 1;
  } finally {
    ctx.closeWorkers?.();
  }
}

async function dispatch(args: CliArgs, ctx: CliContext): Promise<number> {
  switch (args.cmd) {
    case 'help':
      // Every command first (sweep and worker printed after the run options read as run options: s16-g).
      ctx.stdout(
        args.topic === 'run'
          ? `${RUN_HELP}\n`
          : `${USAGE_COMMANDS}\n${SWEEP_COMMANDS}\n${RUN_OPTIONS_HELP}\n${SWEEP_SPEC_HELP}\n`,
      );
      return 0;
    case 'sweep':
      return sweepCommand(args, ctx);
    case 'worker':
      return workerCommand(args, ctx);
    case 'run':
      return runCommand(args, ctx);
    case 'show':
      return showCommand(args.file, args.json, ctx);
    case 'compare':
      return compareCommand(args.files, args.json, ctx);
    case 'presets':
      return args.id === undefined ? presetsCommand(args.json, ctx) : presetCommand(args.id, args.json, ctx);
    case 'reproduce':
      return reproduceCommand(args, ctx);
    default: {
      const never: never = args;
      throw new Error(`unexpected command ${JSON.stringify(never)}`);
    }
  }
}
