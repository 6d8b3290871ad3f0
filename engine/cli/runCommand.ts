/**
 * `lab run`: resolve the scenario (or an ad-hoc one) on each requested profile, validate every config
 * before running any, run them one after another on simulation workers, then print the side-by-side
 * table (or JSON) and optionally write a session file.
 * Bad parameters are UsageErrors (exit 2) raised before the first run; a run that fails is exit 1.
 */
import { existsSync } from 'node:fs';
import { resolveScenario, scenarioProfiles, type PresetSet, type TraceInfo } from '../core/config/index.ts';
import { startRun, type RunHandle } from '../host/engine.ts';
import { nodeSpawner } from '../host/node/spawn.ts';
import type { RunResult, ScenarioConfig } from '../protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { ADHOC_ID, withAdhocScenario } from './adhoc.ts';
import { UsageError, oneLine, type RunArgs } from './args.ts';
import type { CliContext } from './context.ts';
import { runJson, summaryTable } from './format.ts';
import { ProgressBar } from './progress.ts';
import { configFromFile, loadScenarioArg, parseSets, scenarioTraceNames, withSets } from './overrides.ts';
import { makeSession, writeSessionFile } from './session.ts';
import { defaultTraceDir, loadTraces } from './traces.ts';

export async function runCommand(args: RunArgs, ctx: CliContext): Promise<number> {
  const loaded = loadPresetDir(ctx.presetDir);
  if (loaded.problems.length > 0) {
    ctx.stderr(`lab: the presets in ${ctx.presetDir} are invalid:\n${loaded.problems.join('\n')}\n`);
    return 1;
  }
  // A scenario id or a scenario JSON file, and the --set overrides (issue 9).
  const scenario = args.scenario === undefined ? undefined : loadScenarioArg(args.scenario, loaded.set);
  // `--set hardware=ID` picks the profile (like --profile ID); every other path edits a field.
  const allSets = parseSets(args.sets);
  const hardwareSet = allSets.filter((o) => o.path === 'hardware').pop()?.value as string | undefined;
  const sets = allSets.filter((o) => o.path !== 'hardware');
  if (hardwareSet !== undefined && !loaded.set.hardware.has(hardwareSet))
    throw new UsageError(
      `--set hardware: unknown hardware profile '${hardwareSet}' (known: ${[...loaded.set.hardware.keys()].join(', ')})`,
    );
  const names = scenario ? scenarioTraceNames(scenario, sets) : traceNames(loaded.set, args);
  const traces = loadTraces(names, args.traceFiles, args.traceDir ?? defaultTraceDir(ctx.root));
  const info: TraceInfo = {};
  for (const [name, t] of traces) info[name] = { distinct: t.distinct };
  const set = scenario?.set ?? withAdhocScenario(loaded.set, args, info);
  const id = scenario?.id ?? ADHOC_ID;
  const fileConfig = scenario?.base.kind === 'config' ? scenario.base.config : undefined;
  if (!fileConfig && !set.scenarios.has(id))
    throw new UsageError(`unknown scenario '${id}' (known: ${[...set.scenarios.keys()].join(', ')})`);

  const profile = hardwareSet ?? args.profile;
  const all = profile === undefined || profile === 'all';
  const profiles = fileConfig ? [all ? fileConfig.hardware.id : profile] : all ? scenarioProfiles(set, id) : [profile];
  const configs = profiles.map((hardware) => {
    const overrides = {
      hardware,
      harvest: args.harvest,
      policy: args.policy,
      durationMs: args.durationMs,
      sampleIntervalMs: args.sampleMs,
      seed: args.seed,
      deterministic: args.deterministic,
      workers: args.workers,
    };
    if (fileConfig) return withSets(configFromFile(set, fileConfig, hardware, overrides, info), sets, info);
    const r = resolveScenario(set, id, overrides, { traces: info });
    if (!r.ok) throw new UsageError(oneLine(r.error.message));
    return withSets(r.value, sets, info);
  });
  if (!existsSync(ctx.workerPath))
    throw new UsageError(`simulation worker bundle missing (${ctx.workerPath}); run through 'npm run lab'`);

  const pageIds: Record<string, Uint32Array> = {};
  for (const [name, t] of traces) pageIds[name] = t.pageIds;
  const results: RunResult[] = [];
  const bar = new ProgressBar(ctx.stderr, ctx.tty && !args.json);
  let interrupted = false;
  let current: RunHandle | undefined;
  const unregister = ctx.onInterrupt(() => {
    interrupted = true;
    current?.stop();
  });
  try {
    for (const [i, config] of configs.entries()) {
      if (interrupted) break;
      const label = (ms: number): string =>
        `${config.hardware.id} (${i + 1}/${configs.length})  ${ms.toFixed(0)}/${config.run.durationMs} ms virtual`;
      try {
        current = startRun(config, {
          spawnWorker: nodeSpawner(ctx.workerPath),
          traces: pageIds,
          cores: ctx.cores,
          onEvent: (e) => {
            if (e.type === 'progress') bar.update(label(e.virtualMs), (i + e.fraction) / configs.length);
          },
        });
      } catch (e) {
        bar.done();
        throw new UsageError(`${config.hardware.id}: ${oneLine((e as Error).message)}`);
      }
      if (interrupted) current.stop();
      try {
        results.push(await current.done);
      } catch (e) {
        bar.done();
        ctx.stderr(`lab: run on '${config.hardware.id}' failed: ${(e as Error).message}\n`);
        return 1;
      }
    }
  } finally {
    bar.done();
    unregister();
  }
  report(args, ctx, configs, results);
  return interrupted ? 130 : 0;
}

/** Names of the traces the requested runs replay (scenario guests or ad-hoc workloads). */
function traceNames(set: PresetSet, args: RunArgs): Set<string> {
  const ids =
    args.scenario === undefined
      ? args.workloads
      : (set.scenarios.get(args.scenario)?.guests.map((g) => g.workload) ?? []);
  const names = new Set<string>();
  for (const w of ids) {
    const spec = typeof w === 'string' ? set.workloads.get(w)?.workload : w;
    if (spec?.kind === 'trace') names.add(spec.trace);
  }
  return names;
}

function report(args: RunArgs, ctx: CliContext, configs: ScenarioConfig[], results: RunResult[]): void {
  const labels = results.map((r) => r.config.hardware.id);
  if (args.out !== undefined && results.length > 0) {
    writeSessionFile(args.out, makeSession(results, configs[0], ctx.appVersion));
    if (!args.json) ctx.stderr(`wrote ${args.out} (${results.length} run${results.length > 1 ? 's' : ''})\n`);
  }
  if (args.json) {
    ctx.stdout(
      `${JSON.stringify({ scenario: args.scenario ?? ADHOC_ID, runs: results.map((r, i) => runJson(labels[i], r)) }, null, 2)}\n`,
    );
    return;
  }
  if (results.length === 0) {
    ctx.stdout('no run completed\n');
    return;
  }
  const title = args.scenario ?? ADHOC_ID;
  ctx.stdout(`${title}: ${results[0].config.name.split(' — ')[0]}\n\n`);
  ctx.stdout(`${summaryTable(results.map((result, i) => ({ label: labels[i], result })))}\n`);
  if (results.some((r) => r.stopped)) ctx.stdout('\n(stopped early: figures cover the virtual time reached)\n');
}
