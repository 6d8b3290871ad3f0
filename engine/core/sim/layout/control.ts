/**
 * The run's control words and virtual-time words (part of the simulation's layout, sim/simLayout.ts,
 * which re-exports this file): the barrier, pause/stop/abort flags, the host's free-frame count and
 * the serial section's clock and sampler memory. They stand for no one kernel structure: the lab's own
 * run control (CTL_FREE_FRAMES stands for the zone's NR_FREE_PAGES, see mm/hostFrames.ts).
 *
 * control: Int32Array(CTL_WORDS)                       writers / readers
 *   CTL_VERSION        SIM_LAYOUT_VERSION               creator / attachers
 *   CTL_BAR_COUNT      workers arrived at the barrier   workers (atomics.add)
 *   CTL_BAR_GEN        barrier generation (futex word)  last arriver / waiters
 *   CTL_PAUSE          1 = paused (futex word)          host main thread / workers
 *   CTL_STOP           1 = stop requested               host / serial section
 *   CTL_ABORT          1 = abort (a worker failed)      host / all workers (they exit)
 *   CTL_DONE           1 = run finished                 serial section / workers
 *   CTL_FREE_FRAMES    host frames not holding a guest page   any vCPU or reclaimer (atomics)
 *   CTL_ROWS           sample rows emitted so far       serial section
 *   CTL_STOPPED        1 = finished because of CTL_STOP serial section / host
 * time: Float64Array(TIME_WORDS): layout/time.ts.
 *
 * Contract: this module imports nothing, so the bundler inlines its constants as literals at every use
 * (scripts/workers.mjs minifySyntax; esbuild inlines an imported `const` only from a module without
 * imports). With GS_WORDS imported for the time words (now layout/time.ts), each CTL_FREE_FRAMES of
 * HostFrames.tryTake, twice per fault of the trace replay, was a load from the module context, a Smi
 * check and an untag (session 14).
 */

export const SIM_LAYOUT_VERSION = 6;

export const CTL_VERSION = 0;
export const CTL_BAR_COUNT = 1;
export const CTL_BAR_GEN = 2;
export const CTL_PAUSE = 3;
export const CTL_STOP = 4;
export const CTL_ABORT = 5;
export const CTL_DONE = 6;
/**
 * The host's free-frame count: every fault and free on every worker changes it (atomics), so it sits
 * apart from the words each worker reads at every scheduler step (CTL_STOP, CTL_ABORT) and the barrier's,
 * more than a 64-byte cache line away whatever the buffer's 16-byte alignment (layout.ts LINE_WORDS):
 * a frame take on one core then no longer invalidates the line the other core polls.
 */
export const CTL_FREE_FRAMES = 32;
export const CTL_ROWS = 8;
export const CTL_STOPPED = 9;
export const CTL_WORDS = 48;
