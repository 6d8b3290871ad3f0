/**
 * Kept (warm) simulation workers: a SpawnWorker that lends a worker already started to the next run
 * instead of starting a new one. Runtime-neutral (no Node, no DOM): the runtime's factory makes the
 * workers (node/spawn.ts nodeWorkerPool, or a Web Worker factory), this file only keeps them.
 *
 * Why: a run on a fresh worker pays the worker's start (Node 20 bootstrap and the bundle's load,
 * ~0.08 s) and the JIT's warm-up of the simulation (TurboFan compiling the hot paths, ~0.19 s on a
 * trace replay: session 6's note, "Replay: where the time went"). A user running several replays, a
 * sweep or the reproductions pays them once per pooled worker instead of once per run.
 *
 * Contracts:
 * - A worker goes back to the pool only when its run ended cleanly: engine.ts calls `release()` after
 *   the worker said { type: 'finished', outcome: 'done' } for the run it was lent to. A failed run
 *   (an error, an abort, a worker that exited) terminates its workers: a run's failure never leaves
 *   a worker in an unknown state for the next run.
 * - Every run builds its whole simulation state anew from its 'init' message (workerMain.ts), and the
 *   worker restores the one per-thread setting a run changes (the arena's atomic routing) when the
 *   run ends: a run's result does not depend on what the worker ran before (test/host/workerPool.test.ts).
 * - Idle workers do not keep a Node process alive (`unref`), and are terminated after `idleMs` idle
 *   or by `close()`. After close() the pool starts no worker: spawn throws.
 */
import type { ErrorInfo } from '../protocol.ts';
import type { HostToWorker, SpawnWorker, WorkerLike, WorkerToHost } from './messages.ts';

/** A worker as a runtime makes it for the pool: on Node, `unref` lets the process exit while it idles. */
export interface PoolableWorker extends WorkerLike {
  ref?(): void;
  unref?(): void;
}

export interface WorkerPoolOptions {
  /** Terminate a worker idle this long, in ms (default 30,000). */
  idleMs?: number;
  /** Keep at most this many idle workers; a worker released beyond them is terminated (default 4). */
  maxIdle?: number;
}

export interface WorkerPoolStats {
  /** Workers started since the pool was made. */
  created: number;
  /** Runs' workers that were pool workers already started (lent again). */
  reused: number;
  idle: number;
  lent: number;
}

interface Slot {
  readonly worker: PoolableWorker;
  /** The lease now using this worker (null: idle). */
  lease: Lease | null;
  /** Set by 'finished' with outcome 'done' after the lease's 'init': the run ended cleanly. */
  clean: boolean;
  timer: unknown;
  /** The worker index (SimWorkerData.workerIndex) of its last run; -1: none. */
  index: number;
}

interface Lease {
  onMessage: (m: WorkerToHost) => void;
  onError: (e: ErrorInfo) => void;
}

type Timers = {
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(t: unknown): void;
};

export class SimWorkerPool {
  private readonly idle: Slot[] = [];
  private readonly lent = new Set<Slot>();
  private readonly idleMs: number;
  private readonly maxIdle: number;
  private closed = false;
  private created = 0;
  private reused = 0;

  constructor(
    private readonly create: () => PoolableWorker,
    options: WorkerPoolOptions = {},
    private readonly timers: Timers = globalThis as unknown as Timers,
  ) {
    this.idleMs = options.idleMs ?? 30_000;
    this.maxIdle = options.maxIdle ?? 4;
  }

  /**
   * The SpawnWorker for startRun: an idle worker or a new one. Of the idle workers, the most recently
   * used (the warmest) that last served the same worker index, else the most recently used. A kept
   * worker then keeps its role in runs with the same plan (worker 0 runs kswapd and, in spread runs,
   * its own share of the vCPUs): with the roles swapped by the order the previous run's workers
   * finished, each isolate met the other role's actors, promoters and locks in code optimized for its
   * own and deoptimized ("wrong map", docs/ARCHITECTURE.md session 16 (m)). Which worker runs which
   * index changes no result: every run builds its state from its 'init' message.
   */
  readonly spawn: SpawnWorker = (data) => {
    if (this.closed) throw new Error('the simulation worker pool is closed');
    const index = data.workerIndex ?? -1; // tests lend workers with no data
    let slot = this.takeIdle(index);
    if (slot) {
      this.timers.clearTimeout(slot.timer);
      slot.timer = undefined;
      this.reused++;
    } else slot = this.startWorker();
    slot.index = index;
    slot.worker.ref?.();
    this.lent.add(slot);
    return this.lend(slot);
  };

  /** An idle worker for worker index `index` (see spawn), out of the idle list; undefined: none idle. */
  private takeIdle(index: number): Slot | undefined {
    for (let i = this.idle.length - 1; i >= 0; i--) if (this.idle[i].index === index) return this.idle.splice(i, 1)[0];
    return this.idle.pop();
  }

  stats(): WorkerPoolStats {
    return { created: this.created, reused: this.reused, idle: this.idle.length, lent: this.lent.size };
  }

  /** Terminates the idle workers now and every lent one when its run ends; spawn throws from now on. */
  close(): void {
    this.closed = true;
    for (const s of this.idle.splice(0)) this.drop(s);
  }

  private startWorker(): Slot {
    const worker = this.create();
    this.created++;
    const slot: Slot = { worker, lease: null, clean: false, timer: undefined, index: -1 };
    worker.onMessage((m) => {
      if (m.type === 'finished') slot.clean = m.outcome === 'done';
      else if (m.type === 'error') slot.clean = false;
      slot.lease?.onMessage(m);
    });
    worker.onError((e) => {
      slot.clean = false;
      if (slot.lease) slot.lease.onError(e);
      else this.discard(slot); // died while idle: never lend it again
    });
    return slot;
  }

  private lend(slot: Slot): WorkerLike {
    const lease: Lease = { onMessage: () => {}, onError: () => {} };
    slot.lease = lease;
    slot.clean = false;
    const mine = (): boolean => slot.lease === lease;
    return {
      postMessage: (m: HostToWorker) => {
        if (!mine()) return;
        if (m.type === 'init') slot.clean = false;
        slot.worker.postMessage(m);
      },
      onMessage: (h) => {
        lease.onMessage = h;
      },
      onError: (h) => {
        lease.onError = h;
      },
      terminate: () => {
        if (!mine()) return;
        slot.lease = null;
        this.lent.delete(slot);
        this.drop(slot);
      },
      release: () => {
        if (!mine()) return;
        slot.lease = null;
        this.lent.delete(slot);
        if (!slot.clean || this.closed || this.idle.length >= this.maxIdle) return this.drop(slot);
        slot.worker.unref?.();
        this.idle.push(slot);
        slot.timer = this.timers.setTimeout(() => this.discard(slot), this.idleMs);
        (slot.timer as { unref?: () => void } | undefined)?.unref?.();
      },
    };
  }

  /** Takes an idle worker out of the pool and terminates it. */
  private discard(slot: Slot): void {
    const i = this.idle.indexOf(slot);
    if (i >= 0) this.idle.splice(i, 1);
    this.drop(slot);
  }

  private drop(slot: Slot): void {
    this.timers.clearTimeout(slot.timer);
    slot.timer = undefined;
    try {
      slot.worker.terminate();
    } catch {
      /* already gone */
    }
  }
}
