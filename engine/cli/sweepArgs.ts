/**
 * Grammar of `lab sweep` and `lab worker` (args.ts dispatches here). Same contract as args.ts:
 * only UsageError, one line.
 * (args.ts imports this file and this file imports args.ts: only functions cross, never a value
 * used while a module initializes.)
 */
import { UsageError, list, num, parseOptions, str, type OptKind } from './args.ts';

export interface SweepArgs {
  cmd: 'sweep';
  spec: string;
  traceFiles: string[];
  traceDir?: string;
  out?: string;
  /** --force: a complete sweep may replace an existing --out file. */
  force: boolean;
  json: boolean;
  /** Local pool size (default: cores). */
  workers?: number;
  /** redis://host:port: enqueue the runs on BullMQ instead of running them here. */
  queue?: string;
  yes: boolean;
  /** Summary metrics in the table (default: a short list). */
  metrics: string[];
}

export interface WorkerArgs {
  cmd: 'worker';
  queue: string;
  concurrency: number;
  traceFiles: string[];
  traceDir?: string;
  /** BullMQ lock duration and stalled-check interval (ms): how soon a killed worker's job is retried. */
  lockMs?: number;
}

/** `sweep` and `worker` usage lines: `help` lists them with the other commands (args.ts USAGE_COMMANDS). */
export const SWEEP_COMMANDS = `  npm run lab -- sweep <spec.json> [--trace FILE ...] [--out s.msgpack [--force]] [--json] [--workers N]
                       [--queue redis://HOST:PORT] [--yes] [--metric NAME,...]
  npm run lab -- worker --queue redis://HOST:PORT [--concurrency N] [--trace FILE ...] [--lock-ms N]`;

/** What a sweep spec holds; `help` prints it last, after the run options. */
export const SWEEP_SPEC_HELP = `sweep spec: { "scenario": "trace-oracle", "axes": { "host.memoryMiB": [3.90625, 39.0625],
              "reclaim.policy": ["exact-lru", "clock"] }, "seeds": [1] }
  axes: config path -> [values] | {from, to, steps, scale: linear|log} | {from, to, step}; "hardware" -> profile ids
  seeds: [1, 2, 3] | {count: N}; "mode": "product" (default) | "zip"; "set": { path: value } for every run`;

export const RUN_HELP = `usage: npm run lab -- run <scenario-id | path/to/scenario.json> [--set PATH=VALUE ...] [options]
  --set PATH=VALUE   change one config field before the run; repeatable. PATH addresses any field of the
                     resolved config: host.memoryMiB=768, guests.web.vcpus=8 (a guest by name, index or *),
                     reclaim.harvest=none (or 'default'), reclaim.policy=clock, run.durationMs=200,
                     hardware=pkvm (a profile id). Values are checked by the same validator as presets.
  --profile all|ID   run on every profile the scenario lists, or one
  --seed N  --deterministic  --workers N  --duration-ms N  --sample-ms N  --harvest MODE  --policy POLICY
  --trace FILE (repeatable)  --trace-dir DIR  --out FILE.msgpack  --force (replace an existing --out)  --json
  A scenario file is a scenario preset file (presets/scenarios/*.json format) or a complete config.`;

const SWEEP_OPTIONS: Record<string, OptKind> = {
  trace: 'list',
  'trace-dir': 'string',
  out: 'string',
  force: 'flag',
  json: 'flag',
  workers: 'uint',
  queue: 'string',
  yes: 'flag',
  metric: 'list',
};

const WORKER_OPTIONS: Record<string, OptKind> = {
  queue: 'string',
  concurrency: 'uint',
  trace: 'list',
  'trace-dir': 'string',
  'lock-ms': 'uint',
};

function queueUrl(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (!/^rediss?:\/\/[^\s/]+(:\d+)?(\/\d+)?$/.test(v))
    throw new UsageError(`--queue expects redis://HOST:PORT (e.g. redis://127.0.0.1:6379), got '${v}'`);
  return v;
}

export function parseSweep(argv: readonly string[]): SweepArgs {
  const p = parseOptions(argv, SWEEP_OPTIONS);
  if (p.positional.length !== 1)
    throw new UsageError('sweep takes exactly one spec file: npm run lab -- sweep <spec.json>');
  const workers = num(p, 'workers', true);
  if (workers === 0) throw new UsageError('--workers must be at least 1');
  const queue = queueUrl(str(p, 'queue'));
  if (queue !== undefined && workers !== undefined)
    throw new UsageError('--workers sizes the local pool; with --queue start `lab worker` processes instead');
  const out = str(p, 'out');
  if (out !== undefined && !out.endsWith('.msgpack'))
    throw new UsageError(`--out must name a .msgpack file, got '${out}'`);
  if (p.opts.has('force') && out === undefined) throw new UsageError('--force replaces an --out file; give --out too');
  return {
    cmd: 'sweep',
    spec: p.positional[0],
    traceFiles: list(p, 'trace'),
    traceDir: str(p, 'trace-dir'),
    out,
    force: p.opts.has('force'),
    json: p.opts.has('json'),
    workers,
    queue,
    yes: p.opts.has('yes'),
    metrics: list(p, 'metric'),
  };
}

export function parseWorker(argv: readonly string[]): WorkerArgs {
  const p = parseOptions(argv, WORKER_OPTIONS);
  if (p.positional.length > 0) throw new UsageError(`worker takes no arguments, got '${p.positional[0]}'`);
  const queue = queueUrl(str(p, 'queue'));
  if (queue === undefined) throw new UsageError('worker needs --queue redis://HOST:PORT');
  const concurrency = num(p, 'concurrency', true) ?? 1;
  if (concurrency < 1) throw new UsageError('--concurrency must be at least 1');
  const lockMs = num(p, 'lock-ms', true);
  if (lockMs !== undefined && lockMs < 200) throw new UsageError('--lock-ms must be at least 200');
  return {
    cmd: 'worker',
    queue,
    concurrency,
    traceFiles: list(p, 'trace'),
    traceDir: str(p, 'trace-dir'),
    lockMs,
  };
}
