/**
 * `lab reproduce [id] [--json]`: run the reproductions of the seed series' published results
 * (engine/core/repro/reproductions.ts) and print published vs lab side by side with the band.
 * Runs that several reproductions share (same scenario, harvest mode and policy) run once; up to
 * `cores` runs at a time (each is deterministic: one worker). Exit 1 if any figure is out of its band.
 * --json: [{ id, figure, published, lab, band, inBand }, ...] (one entry per figure; `id` is the
 * reproduction's).
 * --profile ID: a what-if, every run on hardware profile ID instead of its scenario's own (e.g. the v1
 * test on x86, where max_guest_memory_test ran: docs/repro-max-guest-memory.md); said on the first
 * line of the table, and as `profile` in each --json entry.
 * --inputs: run nothing; list each reproduction's inputs with their sources (engine/core/repro/info.ts,
 * the same list as the UI's Reproductions view), as text or, with --json, as ReproductionInfo[].
 */
import {
  bandText,
  pickReproductions,
  reproductionConfigs as configsFor,
  type Reproduction,
} from '../core/repro/reproductions.ts';
import { reproductionInfos } from '../core/repro/info.ts';
import { startRun } from '../host/engine.ts';
import { defaultReproConcurrency, runReproductionJob } from '../host/reproduce.ts';
import type { ScenarioConfig } from '../protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { UsageError, oneLine } from './args.ts';
import { textWidth, wrap, wrapAfter } from './format.ts';
import { type CliContext, simWorkers } from './context.ts';

export interface ReproduceArgs {
  cmd: 'reproduce';
  id?: string;
  json: boolean;
  inputs?: boolean;
  profile?: string;
}

export interface FigureResult {
  id: string;
  figure: string;
  label: string;
  published: number;
  lab: number;
  band: [number | null, number | null];
  inBand: boolean;
  /** Set on a --profile what-if: the hardware profile every run used. */
  profile?: string;
}

/** The configs a set of reproductions needs, by variant key (validated before anything runs). */
export function reproductionConfigs(
  presetDir: string,
  repros: readonly Reproduction[],
  profile?: string,
): Map<string, ScenarioConfig> {
  const loaded = loadPresetDir(presetDir);
  if (loaded.problems.length > 0) throw new Error(`the presets are invalid:\n${loaded.problems.join('\n')}`);
  const c = configsFor(loaded.set, repros, profile);
  if (!c.ok) throw new UsageError(oneLine(c.error.message));
  return c.value;
}

export async function reproduceCommand(args: ReproduceArgs, ctx: CliContext): Promise<number> {
  const picked = pickReproductions(args.id === undefined ? undefined : [args.id]);
  if (!picked.ok) throw new UsageError(picked.error.message);
  const repros = picked.value;
  if (args.inputs === true) return listInputs(ctx, repros, args.json);
  const configs = reproductionConfigs(ctx.presetDir, repros, args.profile);
  const wall0 = Date.now();
  const start = ctx.startRun ?? startRun;
  // The same runner as the UI's Reproductions view (engine/host/reproduce.ts): shared runs run once.
  const job = runReproductionJob({
    jobId: 'cli',
    repros,
    configs,
    concurrency: defaultReproConcurrency(ctx.cores),
    startRun: (key, config, onProgress) => {
      if (!args.json) ctx.stderr(`running ${key} ...\n`);
      const h = start(config, {
        spawnWorker: simWorkers(ctx),
        cores: ctx.cores,
        onEvent: (e) => {
          if (e.type === 'progress') onProgress(e.fraction);
        },
      });
      return { done: h.done, stop: () => h.stop() };
    },
    onEvent: () => {},
  });
  const unregister = ctx.onInterrupt(() => job.stop());
  const outcome = await job.done.finally(unregister);
  if (outcome.error) {
    ctx.stderr(`lab: reproduction run failed: ${outcome.error.message}\n`);
    return 1;
  }
  if (outcome.stopped) {
    ctx.stderr('lab: reproductions stopped\n');
    return 130;
  }
  const results: FigureResult[] = outcome.results.flatMap((r) =>
    r.figures.map((f) => ({
      id: r.id,
      figure: f.id,
      label: f.label,
      published: f.published,
      lab: f.lab,
      band: f.band,
      inBand: f.inBand,
      ...(args.profile === undefined ? {} : { profile: args.profile }),
    })),
  );
  const wallS = (Date.now() - wall0) / 1000;
  if (args.json) ctx.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else
    ctx.stdout(
      (args.profile === undefined
        ? ''
        : `what-if: every run on hardware profile '${args.profile}', not its reproduction's own (bands as published)\n\n`) +
        `${table(results, textWidth(ctx.columns))}\n\n${notes(repros, textWidth(ctx.columns))}\n\n${configs.size} runs in ${wallS.toFixed(0)} s wall\n` +
        `inputs and their sources: npm run lab -- reproduce [<id>] --inputs\n`,
    );
  return results.every((r) => r.inBand) ? 0 : 1;
}

/** `--inputs`: every reproduction's published result, setup and costs, each with its source. */
function listInputs(ctx: CliContext, repros: readonly Reproduction[], json: boolean): number {
  const loaded = loadPresetDir(ctx.presetDir);
  if (loaded.problems.length > 0) throw new Error(`the presets are invalid:\n${loaded.problems.join('\n')}`);
  const infos = reproductionInfos(loaded.set, repros);
  if (!infos.ok) throw new UsageError(oneLine(infos.error.message));
  if (json) {
    ctx.stdout(`${JSON.stringify(infos.value, null, 2)}\n`);
    return 0;
  }
  // Wrapped to the terminal (100 columns when piped): a cost's source runs to 2,000 characters (s15-h's
  // trial read them as one line each); a source continues under its own column.
  const width = textWidth(ctx.columns);
  const out: string[] = [];
  for (const r of infos.value) {
    out.push(
      wrap(`${r.id}: ${r.title}`, width, ''),
      wrapAfter('  source: ', r.source, width),
      wrapAfter('  scenario: ', `${r.scenario} (${r.scenarioName})`, width),
      wrap(`note: ${r.note}`, width, '  '),
    );
    const w = Math.max(...r.inputs.map((i) => i.name.length));
    const v = Math.min(48, Math.max(...r.inputs.map((i) => i.value.length)));
    for (const i of r.inputs) out.push(inputRow(i, w, v, width));
    out.push('');
  }
  ctx.stdout(out.join('\n'));
  return 0;
}

/**
 * One input: 'name  value  source' when the source keeps at least 40 columns beside the value (a wide
 * terminal), its lines continuing under the source column; else the value beside the name and 'source: ...'
 * under the value (both wrapped), so nothing runs past `width` but a single word longer than it.
 */
function inputRow(i: { name: string; value: string; source: string }, w: number, v: number, width: number): string {
  const head = `  ${i.name.padEnd(w)}  `;
  if (i.value.length <= v && head.length + v + 2 + 40 <= width)
    return wrapAfter(`${head}${i.value.padEnd(v)}  `, i.source, width);
  const under = width - head.length >= 30 ? ' '.repeat(head.length) : '      ';
  return `${wrapAfter(head, i.value, width)}\n${wrapAfter(`${under}source: `, i.source, width)}`;
}

/**
 * How to read each reproduction's figures, under the table: an out-of-band figure whose published value
 * was measured on other hardware (v1 and v2 ran on x86) or that needs a mechanism the lab lacks must
 * not be read as a result about the patch.
 */
function notes(repros: readonly Reproduction[], width: number): string {
  return ['reading the figures:', ...repros.map((r) => wrap(`${r.id}: ${r.note}`, width, '  '))].join('\n');
}

/**
 * The figure column is never narrowed below this (a label cut into 2-word lines reads worse than a wide
 * row): the table fits from 90 columns, the other five columns taking 66.
 */
const MIN_FIGURE_WIDTH = 24;

const fmt = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3)) : 'n/a');

/**
 * One row per figure. The figure's label (up to 100 characters) wraps within its column so the table
 * fits `width` (the terminal's, 100 when piped): at full width a row ran to 166 columns and an 80- or
 * 100-column terminal folded every row into the next (s16-g's trial). Continuation lines hold the label alone.
 */
function table(rows: FigureResult[], width: number): string {
  const head = ['reproduction', 'figure', 'published', 'lab', 'band', 'in band'];
  const body = rows.map((r) => [
    r.id,
    r.label,
    fmt(r.published),
    fmt(r.lab),
    bandText(r.band),
    r.inBand ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const others = widths.reduce((sum, w, i) => (i === 1 ? sum : sum + w + 2), 0);
  widths[1] = Math.min(widths[1], Math.max(MIN_FIGURE_WIDTH, width - others));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const row = (cells: string[]): string[] => {
    const [first, ...rest] = wrap(cells[1], widths[1]).split('\n');
    return [line([cells[0], first, ...cells.slice(2)]), ...rest.map((l) => line(['', l]))];
  };
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.flatMap(row)].join('\n');
}
