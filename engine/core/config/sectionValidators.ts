/** Result-returning entry points for single sections (the UI validates a section as it is edited). */
import type { GuestSpec, HostSpec, ReclaimSpec, Result, RunSpec } from '../../protocol.ts';
import { Problems, toResult } from './problems.ts';
import { readGuest, readHost, readReclaim, readRun } from './sections.ts';

function wrap<T>(read: (p: Problems, x: unknown, path: string) => T | undefined, what: string, path: string) {
  return (x: unknown): Result<T> => {
    const problems = new Problems();
    return toResult(read(problems, x, path), problems, what);
  };
}

export const validateHostSpec = wrap<HostSpec>(readHost, 'host', 'host');
export const validateGuestSpec = wrap<GuestSpec>(readGuest, 'guest', 'guest');
export const validateReclaimSpec = wrap<ReclaimSpec>(readReclaim, 'reclaim settings', 'reclaim');
export const validateRunSpec = wrap<RunSpec>(readRun, 'run settings', 'run');
