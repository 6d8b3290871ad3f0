/**
 * "Did you mean" (engine/core/config/suggest.ts): typos by edit distance, and (s18-f) a key that begins one
 * allowed key, whole or one of its words. `unknown workload 'zipf'` suggested nothing: zipf-web is 4 edits
 * away, past the distance limit. Control (run for this commit): the edit-distance-only suggestKey fails
 * every "begins" line below, and picks --out for --dur.
 */
import { describe, expect, it } from 'vitest';
import { knownIds, suggestKey } from '../../engine/core/config/suggest.ts';
import { unknownId } from '../../engine/cli/args.ts';

const WORKLOADS = ['hotset-shift', 'scan-batch', 'trace-cloudphysics', 'uniform', 'zipf-web'];
const PROFILES = ['ampere-altra', 'phone-prev82', 'pkvm', 'x86-workstation'];
const SCENARIOS = ['repro-max-guest-memory-v2', 'repro-max-guest-memory', 'repro-memcached-arm64', 'seed-debate'];
const RUN_OPTIONS = ['duration-ms', 'sample-ms', 'out', 'seed', 'set', 'profile'];

describe('suggestKey', () => {
  it('still finds typos by edit distance', () => {
    expect(suggestKey('seed-debat', SCENARIOS)).toBe('seed-debate');
    expect(suggestKey('rn', ['run', 'show'])).toBe('run');
    expect(suggestKey('sed', RUN_OPTIONS)).toBe('seed');
  });

  it('suggests the one key a key begins, whole or by one of its words', () => {
    expect(suggestKey('zipf', WORKLOADS)).toBe('zipf-web');
    expect(suggestKey('dur', RUN_OPTIONS)).toBe('duration-ms'); // not 'out', two edits away
    expect(suggestKey('memory', ['memoryMiB', 'swap', 'watermarks'])).toBe('memoryMiB');
    expect(suggestKey('altra', PROFILES)).toBe('ampere-altra');
    expect(suggestKey('x86', PROFILES)).toBe('x86-workstation');
    expect(suggestKey('memcached', SCENARIOS)).toBe('repro-memcached-arm64');
  });

  it('suggests nothing for a prefix of several keys, or a prefix under 3 characters', () => {
    expect(suggestKey('repro', SCENARIOS)).toBeUndefined();
    expect(suggestKey('repro-max', SCENARIOS)).toBeUndefined();
    expect(suggestKey('zi', ['zipf-web', 'uniform-batch'])).toBeUndefined();
    expect(suggestKey('frobnicate', WORKLOADS)).toBeUndefined();
  });

  it('reaches the CLI and the hardware-profile refusals', () => {
    expect(unknownId('workload', 'zipf', WORKLOADS).message).toBe(
      `unknown workload 'zipf' (did you mean zipf-web? known: ${WORKLOADS.join(', ')})`,
    );
    expect(knownIds('altra', PROFILES)).toBe(`(did you mean ampere-altra? known: ${PROFILES.join(', ')})`);
    expect(knownIds('nothing-like-it', [])).toBe('(known: none)');
  });
});
