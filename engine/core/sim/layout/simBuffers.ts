/**
 * Every shared buffer of one run, created by the host and attached by each worker (part of the
 * simulation's layout, sim/simLayout.ts, which re-exports this file). No kernel counterpart: the lab's
 * shared memory between workers. SIM_LAYOUT_VERSION is checked by every worker that attaches.
 *
 * evictBuckets: Float64Array(guests * 2 * buckets) (owner): eviction precision by eviction time, one bucket
 *   per sample interval (bucket b = evictions at [b, b+1) * sampleNs); guest g at g * 2 * buckets:
 *   [0, buckets) evictions, [buckets, 2 * buckets) refaults within the window, by their eviction's bucket.
 *   Precision counts only buckets whose refault window has closed (metrics.ts precisionAt).
 */

import type { SpreadBuffers } from './spreadBuffers.ts';
import { CTL_VERSION, CTL_WORDS, SIM_LAYOUT_VERSION } from './control.ts';
import { TIME_WORDS } from './time.ts';
import { GS_WORDS } from './guestStats.ts';
import { LH_WORDS, OH_WORDS, VL_WORDS } from './guestRecords.ts';
import { guestRegions } from './guestPages.ts';
import { counterViews } from './workerCounters.ts';

/** Every shared buffer of one run, as posted to each worker. */
export interface SimBuffers {
  arena: SharedArrayBuffer;
  control: SharedArrayBuffer;
  time: SharedArrayBuffer;
  stats: SharedArrayBuffer;
  vlocks: SharedArrayBuffer;
  pagesI32: SharedArrayBuffer[];
  pagesF64: SharedArrayBuffer[];
  /** Eviction-precision buckets (see the layout above). */
  evictBuckets: SharedArrayBuffer;
  /** Lock hold/wait histograms, guests * LH_WORDS Float64 (vlock.ts). */
  lockHist: SharedArrayBuffer;
  /** Operation latency histograms, guests * OH_WORDS Float64 (opHist.ts). */
  opHist: SharedArrayBuffer;
  /** Trace page ids per guest (null when the guest's workload is not a trace). */
  traces: (SharedArrayBuffer | null)[];
  /** Spread runs only (see SpreadBuffers). */
  spread?: SpreadBuffers;
}

export interface SimViews {
  control: Int32Array;
  time: Float64Array;
  stats: Float64Array;
  vlocks: Float64Array;
  pagesI32: Int32Array[];
  /** Per guest: page flags, one byte per page (over pagesI32's buffer). */
  pageFlags: Uint8Array[];
  /** Per guest: virtual time of each page's last eviction. */
  pagesF64: Float32Array[];
  evictBuckets: Float64Array;
  lockHist: Float64Array;
  opHist: Float64Array;
  /** Buckets per guest in evictBuckets. */
  buckets: number;
  traces: (Uint32Array | null)[];
}

export function createSimBuffers(
  guestPages: number[],
  /** Each guest's trace buffer (run.ts: sharedBufferOf, trace/sharedIds.ts) or null. */
  traces: (SharedArrayBuffer | null)[],
  arena: SharedArrayBuffer,
  buckets: number,
): SimBuffers {
  const n = guestPages.length;
  const b: SimBuffers = {
    arena,
    control: new SharedArrayBuffer(CTL_WORDS * 4),
    time: new SharedArrayBuffer(TIME_WORDS * 8),
    stats: new SharedArrayBuffer(n * GS_WORDS * 8),
    vlocks: new SharedArrayBuffer(n * VL_WORDS * 8),
    pagesI32: guestPages.map((p) => new SharedArrayBuffer(guestRegions(p).words * 4)),
    pagesF64: guestPages.map((p) => new SharedArrayBuffer(Math.max(1, p) * 4)),
    evictBuckets: new SharedArrayBuffer(Math.max(1, n * 2 * buckets) * 8),
    lockHist: new SharedArrayBuffer(Math.max(1, n * LH_WORDS) * 8),
    opHist: new SharedArrayBuffer(Math.max(1, n * OH_WORDS) * 8),
    traces,
  };
  new Int32Array(b.control)[CTL_VERSION] = SIM_LAYOUT_VERSION;
  return b;
}

/**
 * Views of the shared buffers. `worker` >= 1 in a spread run: the counters (stats, evictBuckets,
 * lockHist, opHist) are that worker's private copies (SpreadBuffers.counters); the serial section
 * folds them into the shared ones.
 */
/** SimViews on a class map (core/ownShape.ts); `declare` fields as layout.ts ArenaViewsObject. */
class SimViewsObject implements SimViews {
  declare control: Int32Array;
  declare time: Float64Array;
  declare stats: Float64Array;
  declare vlocks: Float64Array;
  declare pagesI32: Int32Array[];
  declare pageFlags: Uint8Array[];
  declare pagesF64: Float32Array[];
  declare evictBuckets: Float64Array;
  declare lockHist: Float64Array;
  declare opHist: Float64Array;
  declare buckets: number;
  declare traces: (Uint32Array | null)[];
  constructor(v: SimViews) {
    this.control = v.control;
    this.time = v.time;
    this.stats = v.stats;
    this.vlocks = v.vlocks;
    this.pagesI32 = v.pagesI32;
    this.pageFlags = v.pageFlags;
    this.pagesF64 = v.pagesF64;
    this.evictBuckets = v.evictBuckets;
    this.lockHist = v.lockHist;
    this.opHist = v.opHist;
    this.buckets = v.buckets;
    this.traces = v.traces;
  }
}

export function attachSimViews(b: SimBuffers, worker = 0): SimViews {
  const control = new Int32Array(b.control);
  if (control[CTL_VERSION] !== SIM_LAYOUT_VERSION) {
    throw new Error(`simulation layout version ${control[CTL_VERSION]}, this build understands ${SIM_LAYOUT_VERSION}`);
  }
  const own = b.spread !== undefined && worker >= 1 ? counterViews(b, b.spread.counters[worker - 1]) : null;
  // Built as a literal once (its map is never used past this line), then copied onto the class map.
  return new SimViewsObject({
    control,
    time: new Float64Array(b.time),
    stats: own?.stats ?? new Float64Array(b.stats),
    vlocks: new Float64Array(b.vlocks),
    pagesI32: b.pagesI32.map((s) => new Int32Array(s)),
    pageFlags: b.pagesI32.map((s) => new Uint8Array(s)),
    pagesF64: b.pagesF64.map((s) => new Float32Array(s)),
    evictBuckets: own?.evictBuckets ?? new Float64Array(b.evictBuckets),
    lockHist: own?.lockHist ?? new Float64Array(b.lockHist),
    opHist: own?.opHist ?? new Float64Array(b.opHist),
    buckets: b.pagesI32.length > 0 ? Math.floor(b.evictBuckets.byteLength / 8 / (2 * b.pagesI32.length)) : 0,
    traces: b.traces.map((s) => (s ? new Uint32Array(s) : null)),
  });
}
