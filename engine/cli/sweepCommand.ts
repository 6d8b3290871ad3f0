/**
 * `lab sweep spec.json`: plan the sweep (every point's config validated before any run), load the
 * traces it replays, run it on a local pool of simulation workers (or, with --queue, on BullMQ
 * workers), show a progress bar (runs done, ETA), then print the per-point table (or JSON) and
 * optionally save everything as one session file (runs + the sweep record; `lab show` reopens it).
 * Exit codes as main.ts: 2 for a bad spec (one line), 1 when a run fails, 130 on Ctrl-C (partial
 * results are still printed and saved).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunResult, SessionData, SweepRecord } from '../protocol.ts';
import type { TraceInfo } from '../core/config/index.ts';
import { planSweep, type SweepPlan } from '../core/sweep/plan.ts';
import { startRun } from '../host/engine.ts';
import { runLocalSweep, SweepCollector } from '../host/sweep.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { UsageError, oneLine } from './args.ts';
import { type CliContext, simWorkers } from './context.ts';
import { isScenarioFile, loadScenarioArg } from './overrides.ts';
import { ProgressBar } from './progress.ts';
import { submitAndCollect } from './queue.ts';
import { checkOutTarget, makeSession, saveOut } from './session.ts';
import { termSafe } from './format.ts';
import type { SweepArgs } from './sweepArgs.ts';
import { checkMetrics, recordStats, sweepJson, sweepTable } from './sweepFormat.ts';
import { defaultTraceDir, loadTraces } from './traces.ts';

function readSpec(file: string): unknown {
  if (!existsSync(file)) throw new UsageError(`${file}: no such file`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${oneLine((e as Error).message)})`);
  }
}

/** Loads the presets and traces a sweep needs and plans it; every problem is one UsageError line. */
export function prepareSweep(
  args: Pick<SweepArgs, 'spec' | 'traceFiles' | 'traceDir' | 'yes'>,
  ctx: CliContext,
): { plan: SweepPlan; traces: Record<string, Uint32Array> } {
  const spec = readSpec(args.spec);
  const loaded = loadPresetDir(ctx.presetDir);
  if (loaded.problems.length > 0)
    throw new Error(`the presets in ${ctx.presetDir} are invalid: ${loaded.problems.join('; ')}`);
  let set = loaded.set;
  let base;
  const scenario = (spec as { scenario?: unknown } | null)?.scenario;
  if (typeof scenario === 'string' && isScenarioFile(scenario)) {
    const s = loadScenarioArg(scenario, set, path.dirname(path.resolve(args.spec)));
    set = s.set;
    base = s.base;
  }
  const where = (m: string) => `${args.spec}: ${oneLine(m)}`;
  // First without traces (to learn which ones the runs replay), then with them (to check each fits).
  const first = planSweep(spec, { set, base, yes: args.yes });
  if (!first.ok) throw new UsageError(where(first.error.message));
  const names = new Set<string>();
  for (const c of first.value.configs)
    for (const g of c.guests) if (g.workload.kind === 'trace') names.add(g.workload.trace);
  const loadedTraces = loadTraces(names, args.traceFiles, args.traceDir ?? defaultTraceDir(ctx.root));
  const info: TraceInfo = {};
  const traces: Record<string, Uint32Array> = {};
  for (const [name, t] of loadedTraces) {
    info[name] = { distinct: t.distinct };
    traces[name] = t.pageIds;
  }
  const planned = planSweep(spec, { set, base, yes: args.yes, traces: info });
  if (!planned.ok) throw new UsageError(where(planned.error.message));
  return { plan: planned.value, traces };
}

function eta(startMs: number, done: number, total: number): string {
  if (done === 0) return 'ETA —';
  const left = ((Date.now() - startMs) / done) * (total - done);
  const s = Math.round(left / 1000);
  return `ETA ${s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`}`;
}

export function sweepSession(record: SweepRecord, runs: RunResult[], appVersion: string): SessionData {
  const session = makeSession(runs, record.base, appVersion);
  return { ...session, sweeps: [record] };
}

export async function sweepCommand(args: SweepArgs, ctx: CliContext): Promise<number> {
  const { plan, traces } = prepareSweep(args, ctx);
  // The output path is checked before the first run: a bad --out never costs a sweep's results.
  if (args.out !== undefined) checkOutTarget(args.out, args.force);
  if (!args.queue && !existsSync(ctx.workerPath))
    throw new UsageError(`simulation worker bundle missing (${ctx.workerPath}); run through 'npm run lab'`);
  const total = plan.configs.length;
  const sweepId = `sweep-${Date.now().toString(36)}-${process.pid}`;
  const bar = new ProgressBar(ctx.stderr, ctx.tty && !args.json);
  const t0 = Date.now();
  const progress = (done: number, note = ''): void =>
    bar.update(`runs ${done}/${total}  ${eta(t0, done, total)}${note}`, done / total);
  progress(0);
  let interrupted = false;
  let collector: SweepCollector;
  let failure: Error | undefined;
  if (args.queue) {
    collector = new SweepCollector(plan);
    const unregister = ctx.onInterrupt(() => void (interrupted = true));
    try {
      const r = await submitAndCollect({
        url: args.queue,
        sweepId,
        collector,
        onRun: () => progress(collector.done, `  (queue ${args.queue})`),
        isInterrupted: () => interrupted,
      });
      interrupted = r.interrupted;
    } catch (e) {
      if (e instanceof UsageError) {
        bar.done();
        throw e; // Redis unreachable: a bad --queue, nothing ran
      }
      failure = e as Error;
    } finally {
      unregister();
    }
  } else {
    const spawnWorker = simWorkers(ctx);
    const concurrency = Math.min(args.workers ?? ctx.cores, total);
    const handle = runLocalSweep(plan, {
      sweepId,
      concurrency,
      runOne: (i) => startRun(plan.configs[i], { spawnWorker, traces, cores: ctx.cores, onEvent: () => {} }),
      onEvent: (e) => {
        if (e.type === 'sweep-run') progress(e.done);
      },
    });
    collector = handle.collector;
    const unregister = ctx.onInterrupt(() => {
      interrupted = true;
      handle.stop();
    });
    try {
      await handle.done;
    } catch (e) {
      failure = e as Error;
    } finally {
      unregister();
    }
  }
  bar.done();
  const { record, runs } = collector.finish();
  let writeFailed = false;
  if (args.out !== undefined && runs.length > 0) {
    // A partial sweep (interrupted or failed) never replaces an existing file, nor a complete one without
    // --force: it goes next to it (session.ts saveOut).
    const partial = runs.length < total;
    try {
      const target = await saveOut(args.out, sweepSession(record, runs, ctx.appVersion), {
        partial,
        force: args.force,
      });
      if (target !== args.out) ctx.stderr(`lab: ${termSafe(args.out)} left unchanged\n`);
      if (!args.json) ctx.stderr(`wrote ${termSafe(target)} (${runs.length} of ${total} runs, 1 sweep)\n`);
    } catch (e) {
      ctx.stderr(`lab: ${termSafe(oneLine((e as Error).message))}\n`);
      writeFailed = true;
    }
  }
  if (failure) {
    ctx.stderr(`lab: ${oneLine(failure.message)}\n`);
    return 1;
  }
  if (args.json) ctx.stdout(`${JSON.stringify(sweepJson(record, runs), null, 2)}\n`);
  else {
    const metrics = checkMetrics(args.metrics, recordStats(record, runs));
    ctx.stdout(`${sweepTable(record, runs, metrics)}\n`);
    if (interrupted) ctx.stdout(`\n(interrupted: ${runs.length} of ${total} runs done)\n`);
  }
  return writeFailed ? 1 : interrupted ? 130 : 0;
}
