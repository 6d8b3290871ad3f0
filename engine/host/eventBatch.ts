/**
 * Coalescing of a simulation worker's output by wall time (runtime-neutral).
 *
 * The serial section runs once per quantum (1 ms of virtual time). A trace replay can run a hundred
 * thousand quanta in a few seconds, and one postMessage per quantum cost a quarter of the CPU time
 * (issue 8 profile: 26 % in postMessage). So sample rows and progress are gathered here and posted
 * at most once per `intervalMs` of wall time (default 50 ms: ≤ 20 posts a second), and immediately
 * when `urgent()` says so (pause or stop requested: the UI must see every row up to the pause) and
 * at `flush()` (end of the run, before 'finished'). No row is ever dropped: rows are only
 * concatenated, in the order they were produced, split where they are not contiguous.
 */
import type { WorkerToHost } from './messages.ts';

export const DEFAULT_BATCH_MS = 50;

export class WorkerEventBatch {
  private rows: Float64Array[] = [];
  private startRow = 0;
  private virtualNs = -1;
  private lastPost: number;

  constructor(
    private readonly post: (m: WorkerToHost) => void,
    private readonly now: () => number,
    private readonly urgent: () => boolean = () => false,
    private readonly intervalMs = DEFAULT_BATCH_MS,
  ) {
    this.lastPost = now();
  }

  /** Sample rows `startRow`.. produced by this worker's serial section. */
  addRows(startRow: number, rows: Float64Array[]): void {
    if (rows.length === 0) return;
    if (this.rows.length > 0 && startRow !== this.startRow + this.rows.length) this.postRows();
    if (this.rows.length === 0) this.startRow = startRow;
    for (const r of rows) this.rows.push(r);
  }

  /** Virtual time reached; posts what is pending when the interval has passed or it is urgent. */
  progress(virtualNs: number): void {
    this.virtualNs = virtualNs;
    const t = this.now();
    if (t - this.lastPost >= this.intervalMs || this.urgent()) this.flushAt(t);
  }

  /** Post everything pending now (end of run, error). */
  flush(): void {
    this.flushAt(this.now());
  }

  private flushAt(t: number): void {
    this.lastPost = t;
    this.postRows();
    if (this.virtualNs >= 0) {
      this.post({ type: 'progress', virtualNs: this.virtualNs });
      this.virtualNs = -1;
    }
  }

  private postRows(): void {
    if (this.rows.length === 0) return;
    this.post({ type: 'rows', startRow: this.startRow, rows: this.rows });
    this.rows = [];
  }
}
