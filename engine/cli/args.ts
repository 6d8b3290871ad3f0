/**
 * Command-line grammar of `npm run lab -- <command> ...`, parsed into a discriminated union.
 * Contract: parseArgs never throws anything but UsageError, whose message is one line fit for stderr
 * (the CLI exits 2 on it).
 */
import { RECLAIM_POLICIES, type HarvestMode, type ReclaimPolicy } from '../protocol.ts';
import { PRESET_HARVEST_MODES } from '../core/config/scenarioPreset.ts';
import { suggestKey } from '../core/config/suggest.ts';
import { checkNumber, rangeText, type NumRange } from '../core/config/fields.ts';
import { DURATION_MS, INTERVAL_MS, MEMORY_MIB, SEED, SWAP_MIB, VCPUS, WORKERS } from '../core/config/limits.ts';
import { parseSweep, parseWorker, type SweepArgs, type WorkerArgs } from './sweepArgs.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * An id that names nothing: the close one when there is one, then every known id. `run seed-debat`
 * listed six scenarios without pointing at the one meant, where `rn` got 'did you mean run?' (s16-g).
 */
export function unknownId(what: string, id: string, known: Iterable<string>): UsageError {
  const list = [...known];
  const hint = suggestKey(id, list);
  return new UsageError(`unknown ${what} '${id}' (${hint ? `did you mean ${hint}? ` : ''}known: ${list.join(', ')})`);
}

/** A multi-line validation message as one stderr line: 'head:\na\nb' -> 'head: a; b'. */
export function oneLine(message: string): string {
  return message.replace(/:\n/g, ': ').replace(/\n\s*/g, '; ');
}

export const SWAP_CHOICES = ['zram', 'ssd', 'none'] as const;

export interface RunArgs {
  cmd: 'run';
  /** Scenario preset id, or undefined for an ad-hoc run built from --hardware/--workload. */
  scenario?: string;
  hardware?: string;
  workloads: string[];
  /** 'all', one profile id, or undefined (scenario default: all its profiles). */
  profile?: string;
  seed?: number;
  deterministic?: boolean;
  workers?: number;
  durationMs?: number;
  sampleMs?: number;
  harvest?: HarvestMode;
  policy?: ReclaimPolicy;
  hostMiB?: number;
  guestMiB?: number;
  vcpus?: number;
  swap?: (typeof SWAP_CHOICES)[number];
  swapMiB?: number;
  traceFiles: string[];
  traceDir?: string;
  out?: string;
  /** --force: a complete session may replace an existing --out file (never a partial one). */
  force: boolean;
  json: boolean;
  /** `--set path=value` config overrides (engine/core/config/overrides.ts), in order. */
  sets: string[];
}

export type CliArgs =
  | RunArgs
  | { cmd: 'show'; file: string; json: boolean }
  | { cmd: 'compare'; files: string[]; json: boolean }
  | { cmd: 'presets'; json: boolean; id?: string }
  | { cmd: 'help'; topic?: 'run' }
  | SweepArgs
  | WorkerArgs
  | { cmd: 'reproduce'; id?: string; json: boolean; inputs: boolean; profile?: string };

/** The commands, one usage line each; `help` prints SWEEP_COMMANDS after them, then the options. */
export const USAGE_COMMANDS = `usage:
  npm run lab -- run <scenario-id> [--profile all|<hardware-id>] [options]
  npm run lab -- run --hardware <id> --workload <id>[,<id>...] [options]
  npm run lab -- show <file.msgpack> [--json]
  npm run lab -- compare <a.msgpack> <b.msgpack> [...] [--json]
  npm run lab -- presets [<id>] [--json]   (with an id: that scenario's, profile's or workload's description)
  npm run lab -- reproduce [<reproduction-id>] [--json] [--inputs: list each one's inputs and sources, run nothing]
                          [--profile ID: what-if, every run on hardware profile ID instead of its own]`;

/** `run`'s options in short (`run --help`: RUN_HELP, in detail). */
export const RUN_OPTIONS_HELP = `run options (npm run lab -- run --help: in detail):
  --seed N  --deterministic  --workers N  --duration-ms N  --sample-ms N  --harvest MODE|default  --policy POLICY
  --host-mib N  --guest-mib N  --vcpus N  --swap zram|ssd|none  --swap-mib N  (ad-hoc runs)
  --workers 0: one simulation worker per core but one (a deterministic run always uses one)
  --trace FILE (repeatable)  --trace-dir DIR  --out FILE.msgpack  --force (replace an existing --out)  --json
  --set PATH=VALUE (repeatable): change any config field, e.g. --set host.memoryMiB=768
        --set guests.web.vcpus=8 --set reclaim.harvest=none (guests by name, index or *)
  <scenario-id> may also be a scenario JSON file (a scenario preset file or a full config)`;

/** list: comma-separated, repeatable; repeat: repeatable, each value whole (may hold commas). */
export type OptKind = 'flag' | 'string' | 'uint' | 'number' | 'list' | 'repeat';
const RUN_OPTIONS: Record<string, OptKind> = {
  hardware: 'string',
  workload: 'list',
  profile: 'string',
  seed: 'uint',
  deterministic: 'flag',
  workers: 'uint',
  'duration-ms': 'number',
  'sample-ms': 'number',
  harvest: 'string',
  policy: 'string',
  'host-mib': 'number',
  'guest-mib': 'number',
  vcpus: 'uint',
  swap: 'string',
  'swap-mib': 'number',
  trace: 'list',
  'trace-dir': 'string',
  out: 'string',
  force: 'flag',
  json: 'flag',
  set: 'repeat',
  help: 'flag',
};
const JSON_ONLY: Record<string, OptKind> = { json: 'flag' };

export type Parsed = { positional: string[]; opts: Map<string, string | true | string[]> };

export function parseOptions(argv: readonly string[], spec: Record<string, OptKind>): Parsed {
  const positional: string[] = [];
  const opts = new Map<string, string | true | string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h') {
      if (spec.help !== 'flag') throw new UsageError('unknown option -h');
      opts.set('help', true);
      continue;
    }
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq === -1 ? undefined : eq);
    const kind = spec[name];
    if (!kind) {
      const hint = suggestKey(name, Object.keys(spec));
      throw new UsageError(`unknown option --${name}${hint ? ` (did you mean --${hint}?)` : ''}`);
    }
    if (kind === 'flag') {
      if (eq !== -1) throw new UsageError(`option --${name} takes no value`);
      opts.set(name, true);
      continue;
    }
    let value: string | undefined = eq === -1 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('--')))
      throw new UsageError(`option --${name} needs a value`);
    value = value.trim();
    if (kind === 'repeat') {
      const prev = opts.get(name);
      opts.set(name, [...(Array.isArray(prev) ? prev : []), value]);
    } else if (kind === 'list') {
      const prev = opts.get(name);
      const items = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      opts.set(name, [...(Array.isArray(prev) ? prev : []), ...items]);
    } else {
      if (opts.has(name)) throw new UsageError(`option --${name} given twice`);
      opts.set(name, value);
    }
  }
  return { positional, opts };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.opts.get(name);
  return typeof v === 'string' ? v : undefined;
}

/**
 * Each numeric run option's range: the config field's own (engine/core/config/limits.ts), so the CLI and
 * the validator agree. One message per option whatever is wrong with the value: `--duration-ms -5` said
 * "expects a non-negative number" and `--duration-ms 0` "run.durationMs: must be a number > 0 and <=
 * 3600000" (two rules for one option, s17-g); both now read `--duration-ms: must be a number > 0 and <=
 * 3,600,000 (one virtual hour), got -5`.
 */
export const OPTION_RANGES: Readonly<Record<string, NumRange>> = {
  seed: SEED,
  workers: WORKERS,
  'duration-ms': DURATION_MS,
  'sample-ms': INTERVAL_MS,
  'host-mib': MEMORY_MIB,
  'guest-mib': MEMORY_MIB,
  vcpus: VCPUS,
  'swap-mib': SWAP_MIB,
};

/**
 * A numeric option. With `range`, anything outside it (a sign, a word, 0 where 0 is not allowed) gets the
 * one message `--NAME: must be ... , got VALUE`; without, the value must be a non-negative number.
 */
export function num(p: Parsed, name: string, integer: boolean, range?: NumRange): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  // Exponents are numbers too: '--duration-ms 1e9' was refused as "expects a non-negative number"
  // (s15-h); accepted, it reaches the range check, which names the field's range.
  const ok = /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(v);
  const n = Number(v);
  if (range) {
    if (ok && checkNumber(n, range)) return n;
    throw new UsageError(`--${name}: ${rangeText(range)}, got ${ok ? v : `'${v}'`}`);
  }
  if (!ok || !Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(
      `option --${name} expects ${integer ? 'a non-negative integer' : 'a non-negative number'}, got '${v}'`,
    );
  return n;
}

function choice<T extends string>(p: Parsed, name: string, values: readonly T[]): T | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    const hint = suggestKey(v, values);
    throw new UsageError(
      `option --${name} expects one of ${values.join(', ')}, got '${v}'${hint ? ` (did you mean ${hint}?)` : ''}`,
    );
  }
  return v as T;
}

/**
 * --harvest: a mode, or 'default' (each profile's own harvest), which the scenario presets spell
 * "harvest": "default" and --set reclaim.harvest=default accepts; it is the same as leaving --harvest
 * out. It was refused ("expects one of lockless, ..., none, got 'default'", s15-h).
 */
function harvestOption(p: Parsed): HarvestMode | undefined {
  const v = choice(p, 'harvest', PRESET_HARVEST_MODES);
  return v === 'default' ? undefined : v;
}

export function list(p: Parsed, name: string): string[] {
  const v = p.opts.get(name);
  return Array.isArray(v) ? v : [];
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const [cmd, ...rest] = argv;
  // `sweep --help`, `show -h`: the usage (it lists every command's options), not 'unknown option --help'
  // (s16-g's trial). `run --help` has its own page (RUN_HELP, parseRun).
  if (cmd !== 'run' && (rest.includes('--help') || rest.includes('-h'))) return { cmd: 'help' };
  switch (cmd) {
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return { cmd: 'help' };
    case 'run':
      return parseRun(rest);
    case 'sweep':
      return parseSweep(rest);
    case 'worker':
      return parseWorker(rest);
    case 'show': {
      const p = parseOptions(rest, JSON_ONLY);
      if (p.positional.length !== 1)
        throw new UsageError('show takes exactly one session file: npm run lab -- show <file.msgpack>');
      return { cmd: 'show', file: p.positional[0], json: p.opts.has('json') };
    }
    case 'compare': {
      const p = parseOptions(rest, JSON_ONLY);
      if (p.positional.length < 2)
        throw new UsageError('compare takes two or more session files: npm run lab -- compare <a.msgpack> <b.msgpack>');
      return { cmd: 'compare', files: p.positional, json: p.opts.has('json') };
    }
    case 'presets': {
      const p = parseOptions(rest, JSON_ONLY);
      if (p.positional.length > 1)
        throw new UsageError(`presets takes at most one id, got '${p.positional.join(' ')}'`);
      const id = p.positional[0];
      return { cmd: 'presets', json: p.opts.has('json'), ...(id === undefined ? {} : { id }) };
    }
    case 'reproduce': {
      const p = parseOptions(rest, { json: 'flag', inputs: 'flag', profile: 'string' });
      if (p.positional.length > 1)
        throw new UsageError(`reproduce takes at most one id, got '${p.positional.join(' ')}'`);
      const profile = p.opts.get('profile');
      if (profile !== undefined && p.opts.has('inputs'))
        throw new UsageError('--inputs lists each reproduction as published; it takes no --profile');
      return {
        cmd: 'reproduce',
        id: p.positional[0],
        json: p.opts.has('json'),
        inputs: p.opts.has('inputs'),
        ...(typeof profile === 'string' ? { profile } : {}),
      };
    }
    default: {
      const hint = suggestKey(cmd, ['run', 'show', 'compare', 'presets', 'help', 'sweep', 'worker', 'reproduce']);
      throw new UsageError(
        `unknown command '${cmd}'${hint ? ` (did you mean ${hint}?)` : ''}; try: npm run lab -- help`,
      );
    }
  }
}

function parseRun(argv: readonly string[]): RunArgs | { cmd: 'help'; topic: 'run' } {
  const p = parseOptions(argv, RUN_OPTIONS);
  if (p.opts.has('help')) return { cmd: 'help', topic: 'run' };
  if (p.positional.length > 1) throw new UsageError(`run takes one scenario id, got '${p.positional.join(' ')}'`);
  const args: RunArgs = {
    cmd: 'run',
    scenario: p.positional[0],
    hardware: str(p, 'hardware'),
    workloads: list(p, 'workload'),
    profile: str(p, 'profile'),
    seed: num(p, 'seed', true, OPTION_RANGES.seed),
    deterministic: p.opts.has('deterministic') ? true : undefined,
    workers: num(p, 'workers', true, OPTION_RANGES.workers),
    durationMs: num(p, 'duration-ms', false, OPTION_RANGES['duration-ms']),
    sampleMs: num(p, 'sample-ms', false, OPTION_RANGES['sample-ms']),
    harvest: harvestOption(p),
    policy: choice(p, 'policy', RECLAIM_POLICIES),
    hostMiB: num(p, 'host-mib', false, OPTION_RANGES['host-mib']),
    guestMiB: num(p, 'guest-mib', false, OPTION_RANGES['guest-mib']),
    vcpus: num(p, 'vcpus', true, OPTION_RANGES.vcpus),
    swap: choice(p, 'swap', SWAP_CHOICES),
    swapMiB: num(p, 'swap-mib', false, OPTION_RANGES['swap-mib']),
    traceFiles: list(p, 'trace'),
    traceDir: str(p, 'trace-dir'),
    out: str(p, 'out'),
    force: p.opts.has('force'),
    json: p.opts.has('json'),
    sets: list(p, 'set'),
  };
  if (args.scenario !== undefined) {
    const adhoc = ['hardware', 'workload', 'host-mib', 'guest-mib', 'vcpus', 'swap', 'swap-mib'].filter((o) =>
      p.opts.has(o),
    );
    if (adhoc.length > 0)
      throw new UsageError(
        `--${adhoc[0]} is for ad-hoc runs; with scenario '${args.scenario}' use --profile to pick hardware`,
      );
  } else {
    if (args.workloads.length === 0)
      throw new UsageError('run needs a scenario id, or --workload <id> (with --hardware <id> or --profile)');
    if (args.hardware === undefined && args.profile === undefined)
      throw new UsageError('an ad-hoc run needs --hardware <id> or --profile all|<id>');
  }
  if (args.out !== undefined && !args.out.endsWith('.msgpack'))
    throw new UsageError(`--out must name a .msgpack file, got '${args.out}'`);
  if (args.force && args.out === undefined) throw new UsageError('--force replaces an --out file; give --out too');
  return args;
}
