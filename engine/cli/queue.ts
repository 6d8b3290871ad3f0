/**
 * Distributed sweeps on BullMQ (Redis): one job per run on the queue QUEUE_NAME.
 *
 * - The submitter (`lab sweep --queue URL`) adds every run of the plan as a job whose id is
 *   `<sweepId>-<runIndex>` and whose data is the run's complete config (self-contained: any machine
 *   with the named traces can run it), then collects the return values into a SweepCollector by run
 *   index, so the session it writes is the one a local sweep writes.
 * - A worker (`lab worker --queue URL`) runs each job deterministically (one simulation worker) and
 *   returns the RunResult, msgpack-encoded (Float64Array columns byte-exact) as base64: BullMQ stores
 *   it in Redis with the job.
 * - A worker killed mid-run holds its job's lock until it expires (lockDuration); another worker's
 *   stalled-job check (stalledInterval) then moves the job back to waiting and it runs again from the
 *   start. maxStalledCount is high so a job survives several such deaths. A run that FAILS (bad
 *   config, missing trace) is an UnrecoverableError: retrying elsewhere would fail the same way.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Packr } from 'msgpackr';
import type { RunResult, ScenarioConfig } from '../protocol.ts';
import type { SweepCollector } from '../host/sweep.ts';
import { UsageError } from './args.ts';

export const QUEUE_NAME = 'overcommit-lab-runs';

export interface RunJobData {
  sweepId: string;
  index: number;
  config: ScenarioConfig;
}

/** Same msgpack options as session files (engine/session/codec.ts). */
const packr = new Packr({ moreTypes: true, useRecords: false, structuredClone: false, int64AsType: 'number' });

export function encodeResult(r: RunResult): string {
  return Buffer.from(packr.pack(r)).toString('base64');
}

export function decodeResult(s: string): RunResult {
  return packr.unpack(Buffer.from(s, 'base64')) as RunResult;
}

export function jobId(sweepId: string, index: number): string {
  return `${sweepId}-${index}`;
}

/**
 * An ioredis client (BullMQ 6 takes the client, ioredis being an optional peer). BullMQ does not
 * close a client it was given: the callers quit it. maxRetriesPerRequest null: BullMQ's requirement
 * for blocking commands.
 */
function connection(url: string): Redis {
  const client = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  client.on('error', () => {}); // surfaced by the BullMQ calls that need the connection
  return client;
}

/**
 * Fails fast (one clear line) when nothing answers at `url`: the clients BullMQ uses retry forever,
 * which would leave a submitter or a worker waiting silently on a typo.
 */
export async function checkRedis(url: string, timeoutMs = 5000): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
  });
  let cause = '';
  probe.on('error', (e: Error) => (cause ||= e.message));
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new UsageError(`cannot reach Redis at ${url}: ${cause || (e as Error).message || 'no answer'}`);
  } finally {
    probe.disconnect();
  }
}

export interface SubmitOptions {
  url: string;
  sweepId: string;
  collector: SweepCollector;
  /** Called after each newly collected run. */
  onRun: (index: number, result: RunResult) => void;
  /** Poll period for job states (ms). */
  pollMs?: number;
  /** Set to stop waiting (Ctrl-C): the sweep's unfinished jobs are removed from the queue. */
  isInterrupted?: () => boolean;
}

/** Enqueues the plan's runs and waits until every one is collected (or one failed, or interrupted). */
export async function submitAndCollect(opts: SubmitOptions): Promise<{ interrupted: boolean }> {
  const { collector, sweepId } = opts;
  await checkRedis(opts.url);
  const client = connection(opts.url);
  const queue = new Queue<RunJobData, string>(QUEUE_NAME, { connection: client });
  queue.on('error', () => {}); // connection errors surface through the awaited calls below
  const configs = collector.plan.configs;
  const ids = configs.map((_, i) => jobId(sweepId, i));
  try {
    await queue.waitUntilReady();
    for (let i = 0; i < configs.length; i += 500)
      await queue.addBulk(
        configs.slice(i, i + 500).map((config, j) => ({
          name: 'run',
          data: { sweepId, index: i + j, config },
          opts: { jobId: ids[i + j], attempts: 1, removeOnComplete: false, removeOnFail: false },
        })),
      );
    const outstanding = new Set(ids.keys());
    while (outstanding.size > 0) {
      if (opts.isInterrupted?.()) {
        await Promise.all([...outstanding].map((i) => queue.remove(ids[i]).catch(() => 0)));
        return { interrupted: true };
      }
      // Oldest first (the queue is FIFO), a bounded batch per poll.
      const batch = [...outstanding].slice(0, 256);
      const jobs = await Promise.all(batch.map((i) => queue.getJob(ids[i])));
      for (const [k, job] of jobs.entries()) {
        const index = batch[k];
        if (!job) throw new Error(`job ${ids[index]} disappeared from the queue (removed by someone else?)`);
        if (!job.finishedOn) continue;
        const state = await job.getState();
        if (state === 'failed')
          throw new Error(`run ${index + 1} failed on a worker: ${job.failedReason || 'no reason given'}`);
        if (state !== 'completed' || typeof job.returnvalue !== 'string') continue;
        outstanding.delete(index);
        const result = decodeResult(job.returnvalue);
        if (collector.add(index, result)) opts.onRun(index, result);
      }
      if (outstanding.size > 0) await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
    // Collected: the results live in the session file now, not in Redis.
    await Promise.all(ids.map((id) => queue.remove(id).catch(() => 0)));
    return { interrupted: false };
  } finally {
    await queue.close();
    client.disconnect();
  }
}

export interface WorkerOptions {
  url: string;
  concurrency: number;
  /** Lock duration = stalled-check interval (ms). */
  lockMs: number;
  /** Runs one job's config; rejects when the run fails. */
  run: (config: ScenarioConfig, job: Job<RunJobData, string>) => Promise<RunResult>;
  log: (line: string) => void;
}

export function startQueueWorker(opts: WorkerOptions): { worker: Worker<RunJobData, string>; close(): Promise<void> } {
  const client = connection(opts.url);
  const worker = new Worker<RunJobData, string>(
    QUEUE_NAME,
    async (job) => {
      opts.log(`job ${job.id} started (run ${job.data.index + 1} of sweep ${job.data.sweepId})`);
      let result: RunResult;
      try {
        result = await opts.run(job.data.config, job);
      } catch (e) {
        opts.log(`job ${job.id} failed: ${(e as Error).message}`);
        throw new UnrecoverableError((e as Error).message);
      }
      opts.log(`job ${job.id} done in ${result.wallMs} ms`);
      return encodeResult(result);
    },
    {
      connection: client,
      concurrency: opts.concurrency,
      lockDuration: opts.lockMs,
      stalledInterval: opts.lockMs,
      maxStalledCount: 1000,
    },
  );
  return {
    worker,
    async close() {
      await worker.close();
      client.disconnect();
    },
  };
}
