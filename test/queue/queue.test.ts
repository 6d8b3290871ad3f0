/**
 * Distributed sweeps on BullMQ against a real redis-server (started here on a free port, installed
 * from Debian when missing): `lab sweep --queue` with two `lab worker` processes gives a session
 * identical to the local sweep's (wall times aside), and a worker killed mid-run loses nothing: its
 * job is retried by the other worker after the lock expires, and every point is present once.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionData } from '../../engine/protocol.ts';
import { decodeSession } from '../../engine/session/index.ts';
import { lab, labSpawn, type Spawned } from '../sweep/labProcess.ts';
import { startRedis, type RedisServer } from './redis.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'lab-queue-'));
let redis: RedisServer | undefined;
const workers: Spawned[] = [];

beforeAll(async () => {
  redis = await startRedis();
}, 300_000);

afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
  await redis?.stop();
});

function readSession(file: string): SessionData {
  const r = decodeSession(new Uint8Array(readFileSync(file)));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** What must be identical between a local and a distributed sweep: everything but wall times and save time. */
function comparable(s: SessionData): unknown {
  return { runs: s.runs.map((r) => ({ ...r, wallMs: 0 })), sweeps: s.sweeps, draft: s.draft, ui: s.ui };
}

/**
 * `lockMs`: the job lock's lifetime. Short where a killed worker's job must come back soon; long where
 * each job must run once, since a worker whose process is not scheduled for lockMs (a loaded machine)
 * loses its lock and BullMQ, at-least-once, lets another worker run the job again.
 */
function startWorker(lockMs: number): Spawned {
  const w = labSpawn('worker', '--queue', redis!.url, '--lock-ms', String(lockMs));
  workers.push(w);
  return w;
}

async function stopWorker(w: Spawned): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill('SIGTERM');
  expect(await w.exited).toBe(0);
}

function jobLines(w: Spawned, what: 'started' | 'done'): string[] {
  return [...w.out().matchAll(new RegExp(`job (\\S+) ${what}`, 'g'))].map((m) => m[1]);
}

/**
 * A worker logs 'job X done' before BullMQ stores the result, but its stdout and the submitter's exit
 * reach this process on different pipes, in either order: wait for the line rather than read at once.
 */
async function doneLine(w: Spawned, job: string): Promise<void> {
  await w.waitFor(new RegExp(`job ${job} done`));
}

function everyPointOnce(s: SessionData): void {
  const indices = s.sweeps![0].points.flatMap((p) => p.runs);
  expect(indices.every((i) => i >= 0)).toBe(true);
  expect(new Set(indices).size).toBe(indices.length);
  expect(indices.length).toBe(s.runs.length);
}

describe('lab sweep --queue (BullMQ on a real redis-server)', () => {
  it('two worker processes give results identical to the local sweep', async () => {
    const spec = path.join(tmp, 'capacity.json');
    writeFileSync(
      spec,
      JSON.stringify({
        scenario: 'trace-oracle',
        axes: { 'reclaim.policy': ['exact-lru', 'clock'], 'host.memoryMiB': [3.90625, 39.0625, 97.65625] },
        seeds: [1],
      }),
    );
    const localOut = path.join(tmp, 'local.msgpack');
    const local = lab('sweep', spec, '--out', localOut, '--workers', '2');
    expect(local.code).toBe(0);

    const [a, b] = [startWorker(60_000), startWorker(60_000)];
    await Promise.all([a.waitFor(/worker ready/), b.waitFor(/worker ready/)]);
    const queueOut = path.join(tmp, 'queue.msgpack');
    const sub = labSpawn('sweep', spec, '--queue', redis!.url, '--out', queueOut);
    expect(await sub.exited).toBe(0);
    expect(sub.out()).toBe(local.stdout); // the same table
    expect(comparable(readSession(queueOut))).toEqual(comparable(readSession(localOut)));
    everyPointOnce(readSession(queueOut));
    // Both workers took part, and each job ran once.
    const jobs = [0, 1, 2, 3, 4, 5].map((i) => `\\S+-${i}`); // <sweepId>-<run index> (queue.ts jobId)
    await Promise.all(jobs.map((j) => Promise.any([doneLine(a, j), doneLine(b, j)])));
    const done = [...jobLines(a, 'done'), ...jobLines(b, 'done')];
    expect(jobLines(a, 'done').length).toBeGreaterThan(0);
    expect(jobLines(b, 'done').length).toBeGreaterThan(0);
    expect(done).toHaveLength(6);
    expect(new Set(done).size).toBe(6);
    await Promise.all([stopWorker(a), stopWorker(b)]);
  });

  it('killing one worker mid-run: the sweep still completes, every point once, same results', async () => {
    const spec = path.join(tmp, 'harvest.json');
    writeFileSync(
      spec,
      JSON.stringify({
        scenario: 'seed-debate',
        axes: { 'reclaim.harvest': ['lockless', 'locked-write', 'none'] },
        set: { 'run.durationMs': 60 },
        seeds: [1, 2],
      }),
    );
    const localOut = path.join(tmp, 'local-kill.msgpack');
    expect(lab('sweep', spec, '--out', localOut, '--workers', '2').code).toBe(0);

    const [victim, survivor] = [startWorker(1000), startWorker(1000)];
    await Promise.all([victim.waitFor(/worker ready/), survivor.waitFor(/worker ready/)]);
    const queueOut = path.join(tmp, 'queue-kill.msgpack');
    const sub = labSpawn('sweep', spec, '--queue', redis!.url, '--out', queueOut);
    const started = await victim.waitFor(/job \S+ started/);
    const killedJob = /job (\S+) started/.exec(started)![1];
    victim.child.kill('SIGKILL'); // mid-run: the run takes far longer than this line's delivery
    await victim.exited;
    expect(jobLines(victim, 'done')).not.toContain(killedJob);

    expect(await sub.exited).toBe(0);
    const s = readSession(queueOut);
    everyPointOnce(s);
    expect(s.runs).toHaveLength(6);
    expect(comparable(s)).toEqual(comparable(readSession(localOut)));
    // The killed worker's job was run again by the survivor (after its lock expired).
    await doneLine(survivor, killedJob);
    await stopWorker(survivor);
  });
});
