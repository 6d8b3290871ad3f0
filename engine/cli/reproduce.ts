/**
 * `lab reproduce [id] [--json]`: run the reproductions of the seed series' published results
 * (engine/core/repro/reproductions.ts) and print published vs lab side by side with the band.
 * Runs that several reproductions share (same scenario, harvest mode and policy) run once; up to
 * `cores` runs at a time (each is deterministic: one worker). Exit 1 if any figure is out of its band.
 * --json: [{ id, figure, published, lab, band, inBand }, ...] (one entry per figure; `id` is the
 * reproduction's).
 */
import { resolveScenario } from '../core/config/index.ts';
import { bandText, inBand, REPRODUCTIONS, type Reproduction, type Variant } from '../core/repro/reproductions.ts';
import { startRun } from '../host/engine.ts';
import { nodeSpawner } from '../host/node/spawn.ts';
import type { RunSummary, ScenarioConfig } from '../protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { UsageError, oneLine } from './args.ts';
import type { CliContext } from './context.ts';

export interface ReproduceArgs {
  cmd: 'reproduce';
  id?: string;
  json: boolean;
}

export interface FigureResult {
  id: string;
  figure: string;
  label: string;
  published: number;
  lab: number;
  band: [number | null, number | null];
  inBand: boolean;
}

const variantKey = (v: Variant): string => `${v.scenario}/${v.harvest}/${v.policy ?? '-'}`;

/** The configs a set of reproductions needs, by variant key (validated before anything runs). */
export function reproductionConfigs(presetDir: string, repros: readonly Reproduction[]): Map<string, ScenarioConfig> {
  const loaded = loadPresetDir(presetDir);
  if (loaded.problems.length > 0) throw new Error(`the presets are invalid:\n${loaded.problems.join('\n')}`);
  const out = new Map<string, ScenarioConfig>();
  for (const r of repros)
    for (const v of r.variants) {
      const key = variantKey(v);
      if (out.has(key)) continue;
      const c = resolveScenario(loaded.set, v.scenario, { harvest: v.harvest, policy: v.policy });
      if (!c.ok) throw new UsageError(`${r.id}: ${oneLine(c.error.message)}`);
      out.set(key, c.value);
    }
  return out;
}

/** The figures of each reproduction from the variants' summaries. */
export function evaluate(repros: readonly Reproduction[], summaries: Map<string, RunSummary>): FigureResult[] {
  const out: FigureResult[] = [];
  for (const r of repros) {
    const runs: Record<string, RunSummary> = {};
    for (const v of r.variants) runs[v.key] = summaries.get(variantKey(v)) as RunSummary;
    for (const f of r.figures) {
      const lab = f.lab(runs);
      out.push({
        id: r.id,
        figure: f.id,
        label: f.label,
        published: f.published,
        lab,
        band: f.band,
        inBand: inBand(lab, f.band),
      });
    }
  }
  return out;
}

export async function reproduceCommand(args: ReproduceArgs, ctx: CliContext): Promise<number> {
  const repros = args.id === undefined ? REPRODUCTIONS : REPRODUCTIONS.filter((r) => r.id === args.id);
  if (repros.length === 0)
    throw new UsageError(`unknown reproduction '${args.id}' (known: ${REPRODUCTIONS.map((r) => r.id).join(', ')})`);
  const configs = reproductionConfigs(ctx.presetDir, repros);
  const summaries = new Map<string, RunSummary>();
  const wall0 = Date.now();
  const queue = [...configs.entries()];
  const parallel = Math.max(1, Math.min(2, ctx.cores));
  let failed: string | undefined;
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = queue.shift();
      if (!next || failed) return;
      const [key, config] = next;
      if (!args.json) ctx.stderr(`running ${key} ...\n`);
      try {
        const h = startRun(config, { spawnWorker: nodeSpawner(ctx.workerPath), cores: ctx.cores, onEvent: () => {} });
        summaries.set(key, (await h.done).summary);
      } catch (e) {
        failed = `${key}: ${(e as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  if (failed) {
    ctx.stderr(`lab: reproduction run failed: ${failed}\n`);
    return 1;
  }
  const results = evaluate(repros, summaries);
  const wallS = (Date.now() - wall0) / 1000;
  if (args.json) ctx.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else ctx.stdout(`${table(results)}\n\n${configs.size} runs in ${wallS.toFixed(0)} s wall\n`);
  return results.every((r) => r.inBand) ? 0 : 1;
}

const fmt = (x: number): string => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3)) : 'n/a');

function table(rows: FigureResult[]): string {
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
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
