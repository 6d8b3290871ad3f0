/**
 * Trace files loaded by each window (lab:loadTrace), kept in the main process: the page ids never go
 * back to the renderer, they go to the runs that window starts. One TraceLibrary (engine/core/trace)
 * per window; forgotten when the window closes.
 */
import { TraceLibrary } from '../engine/core/trace/index.ts';

export class WindowTraces {
  private readonly byOwner = new Map<number, TraceLibrary>();

  constructor(private readonly maxBytes?: number) {}

  of(ownerId: number): TraceLibrary {
    let lib = this.byOwner.get(ownerId);
    if (!lib) {
      lib = new TraceLibrary(this.maxBytes);
      this.byOwner.set(ownerId, lib);
    }
    return lib;
  }

  forget(ownerId: number): void {
    this.byOwner.delete(ownerId);
  }
}
