/** worker_threads entry of the simulation worker (bundled as 'sim-worker' by scripts/workers.mjs). */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { HostToWorker } from '../messages.ts';
import { serveSimWorker } from '../workerMain.ts';

const port = parentPort;
if (!port) throw new Error('simWorker must run in a worker thread');
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
 * 0.02-0.09 ms between reads 60 µs apart). The cost (a few µs) is paid twice per quantum, probes only.
 */
function threadClock(): [number, number] | null {
  try {
    process.cpuUsage();
    const [cpu, delay] = readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ');
    return [Number(cpu) / 1e6, Number(delay) / 1e6];
  } catch {
    return null;
  }
}
