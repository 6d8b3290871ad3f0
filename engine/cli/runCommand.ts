/**
 * `lab run`: resolve the scenario (or an ad-hoc one) on each requested profile, validate every config
 * before running any, run them one after another on simulation workers, then print the side-by-side
 * table (or JSON) and optionally write a session file.
 * Bad parameters (a bad --out path included) are UsageErrors (exit 2) raised before the first run; a run
 * that fails is exit 1, but the runs that finished are still printed and saved. Ctrl-C once stops
 * gracefully (exit 130, partial results kept); twice exits at once.
 */
import { existsSync } from 'node:fs';
import { resolveScenario, scenarioProfiles, type PresetSet, type TraceInfo } from '../core/config/index.ts';
import { knownIds } from '../core/config/suggest.ts';
import { startRun, type RunHandle } from '../host/engine.ts';
import type { RunResult, ScenarioConfig } from '../protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { ADHOC_ID, withAdhocScenario } from './adhoc.ts';
import { UsageError, oneLine, unknownId, type RunArgs } from './args.ts';
import { type CliContext, simWorkers } from './context.ts';
import { jsonText, runJson, summaryTable, termSafe, textWidth } from './format.ts';
import { ProgressBar } from './progress.ts';
import { checkOutTarget, makeSession, saveOut } from './session.ts';
import { shortPath } from '../host/node/atomicFile.ts';
import { configFromFile, loadScenarioArg, parseSets, scenarioTraceNames, withSets } from './overrides.ts';
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
      `--set hardware: unknown hardware profile '${hardwareSet}' ${knownIds(hardwareSet, loaded.set.hardware.keys())}`,
    );
  const names = scenario ? scenarioTraceNames(scenario, sets) : traceNames(loaded.set, args);
  const traces = loadTraces(names, args.traceFiles, args.traceDir ?? defaultTraceDir(ctx.root));
  const info: TraceInfo = {};
  for (const [name, t] of traces) info[name] = { distinct: t.distinct };
  const set = scenario?.set ?? withAdhocScenario(loaded.set, args, info);
  const id = scenario?.id ?? ADHOC_ID;
  const fileConfig = scenario?.base.kind === 'config' ? scenario.base.config : undefined;
  if (!fileConfig && !set.scenarios.has(id)) throw unknownId('scenario', id, set.scenarios.keys());

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
  // The output path is checked before the first run: a bad --out never costs a run's results.
  if (args.out !== undefined) checkOutTarget(args.out, args.force);

  const pageIds: Record<string, Uint32Array> = {};
  for (const [name, t] of traces) pageIds[name] = t.pageIds;
  const results: RunResult[] = [];
  const failures: string[] = [];
  const bar = new ProgressBar(ctx.stderr, ctx.tty && !args.json);
  let interrupts = 0;
  let current: RunHandle | undefined;
  // First Ctrl-C: stop the current run gracefully (its partial result is kept) and start no other.
  // Second Ctrl-C: exit now (130), whatever the run is doing.
  const unregister = ctx.onInterrupt(() => {
    if (++interrupts === 1) {
      bar.done();
      ctx.stderr('lab: stopping after Ctrl-C (press Ctrl-C again to exit at once)\n');
      current?.stop();
    } else {
      bar.done();
      ctx.stderr('lab: interrupted twice: exiting without results\n');
      ctx.exit(130);
    }
  });
  try {
    for (const [i, config] of configs.entries()) {
      if (interrupts > 0) break;
      const label = (ms: number): string =>
        `${termSafe(config.hardware.id)} (${i + 1}/${configs.length})  ${ms.toFixed(0)}/${config.run.durationMs} ms virtual`;
      try {
        current = (ctx.startRun ?? startRun)(config, {
          spawnWorker: simWorkers(ctx),
          traces: pageIds,
          cores: ctx.cores,
          onEvent: (e) => {
            if (e.type === 'progress' && interrupts === 0)
              bar.update(label(e.virtualMs), (i + e.fraction) / configs.length);
          },
        });
      } catch (e) {
        bar.done();
        throw new UsageError(`${config.hardware.id}: ${oneLine((e as Error).message)}`);
      }
      if (interrupts > 0) current.stop();
      try {
        results.push(await current.done);
      } catch (e) {
        // A failed run loses only itself: the runs that finished are still printed and saved.
        bar.done();
        failures.push(
          `lab: run on '${termSafe(config.hardware.id)}' failed: ${termSafe(oneLine((e as Error).message))}`,
        );
      }
    }
  } finally {
    bar.done();
    unregister();
  }
  for (const f of failures) ctx.stderr(`${f}\n`);
  // A preset scenario (not a file) has a description `lab presets <id>` prints.
  const presetId = args.scenario !== undefined && loaded.set.scenarios.has(args.scenario) ? args.scenario : undefined;
  const wrote = await report(args, ctx, configs, results, interrupts > 0 || failures.length > 0, presetId);
  if (!wrote) return 1;
  return failures.length > 0 ? 1 : interrupts > 0 ? 130 : 0;
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

/**
 * The options that changed a scenario's config, said under its title: the title is the preset's name,
 * which may state what they changed ('Trace oracle: cloudPhysicsIO, exact LRU, 10000 pages' over a run
 * with --set reclaim.policy=clock --set host.memoryMiB=3.90625: s16-g's trial). '' when none did.
 */
export function changedFromPreset(args: RunArgs): string {
  if (args.scenario === undefined) return '';
  const changes = [
    ...(args.harvest === undefined ? [] : [`--harvest ${args.harvest}`]),
    ...(args.policy === undefined ? [] : [`--policy ${args.policy}`]),
    ...(args.durationMs === undefined ? [] : [`--duration-ms ${args.durationMs}`]),
    ...args.sets.map((s) => `--set ${s}`),
  ];
  return changes.length === 0 ? '' : `changed from the scenario: ${changes.join(' ')}`;
}

/** Prints the finished runs, then saves them; false when the save failed (said on stderr). */
async function report(
  args: RunArgs,
  ctx: CliContext,
  configs: ScenarioConfig[],
  results: RunResult[],
  partial: boolean,
  presetId?: string,
): Promise<boolean> {
  const labels = results.map((r) => r.config.hardware.id);
  if (args.json) {
    ctx.stdout(
      `${jsonText({ scenario: args.scenario ?? ADHOC_ID, runs: results.map((r, i) => runJson(labels[i], r)) })}\n`,
    );
  } else if (results.length === 0) {
    ctx.stdout('no run completed\n');
  } else {
    const title = args.scenario ?? ADHOC_ID;
    ctx.stdout(`${termSafe(title)}: ${termSafe(results[0].config.name.split(' — ')[0])}\n`);
    const changed = changedFromPreset(args);
    ctx.stdout(changed ? `${termSafe(changed)}\n\n` : '\n');
    ctx.stdout(
      `${summaryTable(
        results.map((result, i) => ({ label: labels[i], result })),
        textWidth(ctx.columns),
      )}\n`,
    );
    if (results.some((r) => r.stopped)) ctx.stdout('\n(stopped early: figures cover the virtual time reached)\n');
    // The scenario's description holds what the figures mean (and seed-debate's, why lockless ranks
    // where it does); the table cannot, so say where it is.
    if (presetId !== undefined)
      ctx.stdout(`\nabout this scenario and its figures: npm run lab -- presets ${termSafe(presetId)}\n`);
  }
  if (args.out === undefined || results.length === 0) return true;
  // A partial session (interrupted, or a run failed) never replaces an existing file, nor does a complete
  // one without --force: it goes next to it under a new name, and we say so.
  let target: string;
  try {
    target = await saveOut(args.out, makeSession(results, configs[0], ctx.appVersion), {
      partial,
      force: args.force,
    });
  } catch (e) {
    ctx.stderr(`lab: ${termSafe(oneLine((e as Error).message))}\n`);
    return false;
  }
  const runs = `${results.length} run${results.length > 1 ? 's' : ''}`;
  if (target !== args.out)
    ctx.stderr(
      `lab: ${shortPath(args.out)} left unchanged: ${partial ? 'the session is partial' : 'it appeared during the run'}, so ${runs} went to ${shortPath(target)}\n`,
    );
  else if (!args.json) ctx.stderr(`wrote ${shortPath(target)} (${runs}${partial ? ', partial' : ''})\n`);
  return true;
}
