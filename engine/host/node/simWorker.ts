/** worker_threads entry of the simulation worker (bundled as 'sim-worker' by scripts/workers.mjs). */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { HostToWorker } from '../messages.ts';
import { serveSimWorker } from '../workerMain.ts';

const port = parentPort;
if (!port) throw new Error('simWorker must run in a worker thread');
/** This thread's /proc/thread-self/schedstat, opened at the first threadClock (-2: missing), and its read buffer. */
let schedstat = -1;
const statBuf = Buffer.alloc(128);
process.on('exit', () => {
  if (schedstat >= 0) closeSync(schedstat);
});
serveSimWorker(
  {
    post: (m) => port.postMessage(m),
    onMessage: (h) => port.on('message', (m: HostToWorker) => h(m)),
  },
  threadClock,
);

/**
 * This thread's CPU time and run delay in ms (Linux /proc/thread-self/schedstat: sum_exec_runtime,
 * run_delay in ns), for a run's probe only (core/sim/probe.ts); null where the file is missing.
 *
 * The file shows the running thread's se.sum_exec_runtime as of its last update_curr: a tick (4 ms at
 * HZ=250) or a context switch ago, so a busy thread reading it alone sees its CPU time in steps of
 * about 4 ms (measured: 44 of 100 changes were 4.0 ms). A probe quantum is ~10 ms of CPU, so each
 * reading was off by up to a tick and the per-quantum maximum (the critical path) biased upward.
 * process.cpuUsage() first: getrusage(RUSAGE_SELF) -> thread_group_cputime() calls
 * task_sched_runtime(current) for the caller's own thread group (kernel/sched/cputime.c), which runs
 * update_curr, so the file then holds this thread's CPU time to the microsecond (measured: steps of
 * 0.02-0.09 ms between reads 60 µs apart). Probes only: 4 to 6 calls per quantum (probedQuantum, the
 * serial section's), about one call's cost inside each quantum's measured CPU.
 */
function threadClock(): [number, number] | null {
  try {
    if (schedstat === -2) return null;
    // /proc/thread-self names the opening thread: this worker's (each worker thread has its module).
    if (schedstat === -1) schedstat = openSync('/proc/thread-self/schedstat', 'r');
    process.cpuUsage();
    // A read at offset 0 of the open file regenerates its text (a seq_file): the same figures as
    // readFileSync's open + fstat + read + close, which cost 93-122 us a call here (load 8 on 2 shared
    // cores) against 20-21 us for this (20,000 calls each, interleaved; session 17 (b)).
    const n = readSync(schedstat, statBuf, 0, statBuf.length, 0);
    const [cpu, delay] = statBuf.toString('latin1', 0, n).split(' ');
    return [Number(cpu) / 1e6, Number(delay) / 1e6];
  } catch {
    if (schedstat >= 0) closeSync(schedstat);
    schedstat = -2;
    return null;
  }
}
