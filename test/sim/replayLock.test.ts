/**
 * The lone replay's MMU lock (engine/core/sim/replayLock.ts) against the virtual lock it stands for
 * (VLock, the reference): for requests that come one after another, the same grants (at the request
 * time) and the same hold/wait histograms; a request inside the previous hold throws.
 */
import { describe, expect, it } from 'vitest';
import { LoneLock } from '../../engine/core/sim/replayLock.ts';
import { LH_WORDS } from '../../engine/core/sim/simLayout.ts';
import { VLock } from '../../engine/core/sync/vlock.ts';
import { Prng } from '../../engine/core/sim/prng.ts';

function sequence(seed: number, n: number): { t: number; hold: number; write: boolean }[] {
  const r = new Prng(seed, 0);
  const out: { t: number; hold: number; write: boolean }[] = [];
  let end = 0;
  for (let i = 0; i < n; i++) {
    // Next request at or after the previous hold's end (sometimes exactly at it).
    const t = end + (r.nextFloat() < 0.2 ? 0 : r.nextFloat() * 5000);
    const hold = [120, 350.5, 2048, 1 + r.nextFloat() * 9000][Math.floor(r.nextFloat() * 4)];
    out.push({ t, hold, write: r.nextFloat() < 0.5 });
    end = t + hold;
  }
  return out;
}

describe('LoneLock = VLock for one agent whose requests follow each other', () => {
  it.each([1, 2, 3, 4, 5])('seed %i: same grants and histograms', (seed) => {
    const histRef = new Float64Array(2 * LH_WORDS);
    const histLone = new Float64Array(2 * LH_WORDS);
    const ref = new VLock(1, histRef);
    const lone = new LoneLock(new VLock(1, histLone));
    for (const q of sequence(seed, 2000)) {
      const g = q.write ? ref.write(q.t, q.hold, false) : ref.read(q.t, q.hold, false);
      expect(g).toBe(q.t);
      expect(ref.agingWaitNs).toBe(0);
      lone.reqT = q.t;
      lone.reqHold = q.hold;
      if (q.write) lone.write();
      else lone.read();
    }
    // read() / write() keep their waits' count until flushWaits (the replay's flush).
    expect(histLone).not.toEqual(histRef);
    lone.flushWaits();
    expect(histLone).toEqual(histRef);
    expect(histLone.reduce((a, b) => a + b, 0)).toBe(2 * 2000);
  });

  it('negative control: a request inside the previous hold throws (VLock would have made it wait)', () => {
    const ref = new VLock(0, new Float64Array(LH_WORDS));
    const lone = new LoneLock(new VLock(0, new Float64Array(LH_WORDS)));
    ref.write(100, 50, false);
    lone.reqT = 100;
    lone.reqHold = 50;
    lone.write();
    expect(ref.read(120, 10, false)).toBeGreaterThan(120); // the reference delays it
    lone.reqT = 120;
    lone.reqHold = 10;
    expect(() => lone.read()).toThrow(/inside the previous hold/);
  });
});
