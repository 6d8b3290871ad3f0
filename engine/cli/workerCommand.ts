/**
 * `lab worker --queue redis://HOST:PORT [--concurrency N] [--trace FILE ...]`: takes sweep runs from
 * the BullMQ queue (queue.ts), runs each deterministically on a simulation worker thread and stores
 * the result with the job. Traces are loaded by name on first use (--trace files first, then the trace
 * directory) and kept. Runs until Ctrl-C / SIGTERM, then finishes the jobs in hand and exits 0.
 * Logs one line per job on stdout (tests and operators follow it).
 */
import { existsSync } from 'node:fs';
import { checkRunnable } from '../core/sim/run.ts';
import { startRun } from '../host/engine.ts';
import type { ScenarioConfig } from '../protocol.ts';
import { UsageError } from './args.ts';
import { type CliContext, simWorkers } from './context.ts';
import { checkRedis, startQueueWorker } from './queue.ts';
import type { WorkerArgs } from './sweepArgs.ts';
import { defaultTraceDir, loadTraces } from './traces.ts';

export async function workerCommand(args: WorkerArgs, ctx: CliContext): Promise<number> {
  if (!existsSync(ctx.workerPath))
    throw new UsageError(`simulation worker bundle missing (${ctx.workerPath}); run through 'npm run lab'`);
  const spawnWorker = simWorkers(ctx);
  const traces: Record<string, Uint32Array> = {};
  const dir = args.traceDir ?? defaultTraceDir(ctx.root);
  const tracesFor = (config: ScenarioConfig): Record<string, Uint32Array> => {
    const missing = config.guests
      .map((g) => (g.workload.kind === 'trace' ? g.workload.trace : undefined))
      .filter((n): n is string => n !== undefined && !(n in traces));
    if (missing.length > 0) for (const [name, t] of loadTraces(missing, args.traceFiles, dir)) traces[name] = t.pageIds;
    return traces;
  };
  const log = (line: string) => ctx.stdout(`${new Date().toISOString()} ${line}\n`);
  await checkRedis(args.queue);
  const { worker, close } = startQueueWorker({
    url: args.queue,
    concurrency: args.concurrency,
    lockMs: args.lockMs ?? 30_000,
    log,
    run: async (config) => {
      // Deterministic whatever the job says: a run's result must not depend on the machine.
      const c: ScenarioConfig = { ...config, run: { ...config.run, deterministic: true, workers: 1 } };
      const t = tracesFor(c);
      checkRunnable(c, t);
      const result = await startRun(c, { spawnWorker, traces: t, cores: ctx.cores, onEvent: () => {} }).done;
      if (result.stopped) throw new Error('the run was stopped before its end');
      return result;
    },
  });
  // A connection lost later is retried by the client: say so once per distinct message, not per retry.
  let lastError = '';
  worker.on('error', (e) => {
    if (e.message !== lastError) log(`queue error: ${e.message} (retrying)`);
    lastError = e.message;
  });
  await worker.waitUntilReady();
  log(`worker ready on ${args.queue} (concurrency ${args.concurrency})`);
  await new Promise<void>((resolve) => {
    const unregister = ctx.onInterrupt(() => {
      unregister();
      resolve();
    });
    process.once('SIGTERM', () => resolve());
  });
  log('closing: finishing the jobs in hand');
  await close();
  return 0;
}
