/**
 * The body of a simulation worker, runtime-neutral: node/simWorker.ts and web/simWorker.ts adapt
 * their message port to `WorkerPort` and call serveSimWorker. On 'init' it builds the worker's
 * SimWorkerCore and runs the whole loop (Atomics.wait at the barrier is fine: this is a worker).
 * A kept worker (workerPool.ts) gets one 'init' per run: everything a run uses is built from its
 * message, and the per-thread atomic routing it selects is restored when it ends.
 * Any exception is reported as { type: 'error' } and the run's abort flag is raised, so peers
 * waiting at the barrier exit instead of hanging.
 */
import { controlAtomics, LONE_AGENT, plainArenaOps, releasePlainArena, setAtomicOps } from '../core/sync/atomics.ts';
import { selectReplay } from '../core/sim/replaySelect.ts';
import { SimWorkerCore } from '../core/sim/simCore.ts';
import { probeQuanta, probeRow } from '../core/sim/probe.ts';
import { CTL_ABORT, CTL_BAR_GEN, CTL_PAUSE, CTL_STOP } from '../core/sim/simLayout.ts';
import { WorkerEventBatch } from './eventBatch.ts';
import { toErrorInfo, type HostToWorker, type WorkerToHost } from './messages.ts';

export interface WorkerPort {
  post(message: WorkerToHost): void;
  onMessage(handler: (message: HostToWorker) => void): void;
}

/**
 * `threadClock`: this thread's [CPU ms, run-delay ms] for a run's probe (core/sim/probe.ts); the Node
 * worker reads /proc/thread-self/schedstat, a runtime without a per-thread clock passes none.
 */
export function serveSimWorker(port: WorkerPort, threadClock: () => [number, number] | null = () => null): void {
  // A probed run's clocks (core/sim/probe.ts), one object for the worker's lifetime: made per run, each
  // run of a kept worker brought new functions to the probe's optimized callers (SimWorkerCore.barrier),
  // which deoptimized on them ("wrong call target", docs/ARCHITECTURE.md session 16 (m)).
  const probeClocks = { wallMs: () => performance.now(), thread: threadClock };
  port.onMessage((msg) => {
    switch (msg.type) {
      case 'init': {
        const d = msg.data;
        const control = new Int32Array(d.buffers.control);
        let batch: WorkerEventBatch | undefined;
        let restoreOps = (): void => {};
        try {
          // The lone bundle (sync/atomicsLone.ts) has plain arena atomics: correct with one worker only.
          if (LONE_AGENT && d.plan.workers !== 1)
            throw new Error(`the lone simulation worker serves one-worker runs only (this run has ${d.plan.workers})`);
          let quanta = 0;
          // Rows and progress are coalesced by wall time (eventBatch.ts), posted at once when a pause
          // or stop is requested, and flushed before 'finished': no row is lost or reordered.
          const urgent = (): boolean =>
            controlAtomics.load(control, CTL_PAUSE) === 1 || controlAtomics.load(control, CTL_STOP) === 1;
          batch = new WorkerEventBatch((m) => port.post(m), Date.now, urgent);
          const out = batch;
          const core = new SimWorkerCore(
            d.config,
            d.plan,
            d.buffers,
            d.workerIndex,
            {
              rows: (startRow, rows) => out.addRows(startRow, rows),
              progress: (virtualNs) => out.progress(virtualNs),
              // Pause seen: post the pending rows and progress, then say where this worker waits.
              parked: (virtualNs) => {
                out.flush();
                port.post({ type: 'parked', virtualNs });
              },
              // One worker: quanta with nothing for the serial section but progress skip it (simCore.ts quietQuantum).
              wallMs: Date.now,
              ...(d.heatmap === false
                ? {}
                : {
                    heat: (guest: number, tMs: number, cells: Uint8Array) =>
                      port.post({ type: 'heat', guest, tMs, cells }),
                  }),
            },
            d.hooks,
          );
          if (d.failAfterQuanta !== undefined) {
            const run = core.runUntil.bind(core);
            core.runUntil = (end: number) => {
              if (++quanta > (d.failAfterQuanta as number))
                throw new Error(`injected crash in worker ${d.workerIndex}`);
              run(end);
            };
          }
          if (d.probe !== undefined)
            core.attachProbe(probeRow(d.probe, d.workerIndex, probeQuanta(d.plan)), probeClocks);
          // One worker: nothing else touches the arena while the run lasts (atomics.ts plainArenaOps).
          // Restored when the run ends (finally): a kept worker's next run may be a parallel one.
          if (d.plan.workers === 1) {
            const restore = setAtomicOps(plainArenaOps(core.env.arena.i32, core.env.arena.stats64));
            restoreOps = () => {
              restore();
              releasePlainArena();
            };
          }
          // A trace replay that needs nothing but its own accesses takes the fast path (replay.ts).
          if (d.replay !== false) selectReplay(core.actorList, d.config, d.plan);
          const outcome = core.loop();
          if (outcome === 'done') core.close(); // aborted peers may hold RCU slots: no barrier then
          batch.flush();
          port.post({ type: 'finished', outcome });
        } catch (e) {
          batch?.flush();
          controlAtomics.store(control, CTL_ABORT, 1);
          controlAtomics.notify(control, CTL_BAR_GEN);
          controlAtomics.notify(control, CTL_PAUSE);
          port.post({ type: 'error', error: toErrorInfo(e) });
        } finally {
          restoreOps();
        }
        break;
      }
      default: {
        const never: never = msg.type;
        throw new Error(`unexpected message ${String(never)}`);
      }
    }
  });
}
