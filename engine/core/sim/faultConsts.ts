/**
 * The fault path's constants: the vCPU's frame-retry wait (VCpu.run, TraceReplay.steps), the trace
 * replay's stop-check period (replay.ts) and ReplayFaults.fault's results (replayFault.ts).
 *
 * Contract: this module imports nothing, so the bundler inlines its constants as literals at every use
 * (scripts/workers.mjs minifySyntax; esbuild inlines an imported `const` only from a module without
 * imports, and a module's own top-level `const` becomes a `var` of the bundle). Declared in vcpu.ts,
 * replay.ts and replayFault.ts, which import, each use on the replay's miss path (two result tests
 * and a return per fault) was a load from the module context, a Smi check and an untag (session 14).
 * vcpu.ts and replayFault.ts re-export theirs.
 */

/** Virtual wait before a vCPU retries a fault that found no frame and nothing to evict. */
export const FRAME_RETRY_NS = 10_000;

/** Requests between two stop checks of a lone replay (TraceReplay.runAlone). */
export const STOP_EVERY = 1024;

/** ReplayFaults.fault's results. */
export const FAULTED = 0;
export const FAULTED_NO_FRAME = 1;
export const FAULTED_SUSPENDED = 2;
