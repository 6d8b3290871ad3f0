/**
 * Reproductions through main's IPC seams (main/ipc, engine/host/reproduceService.ts) with a fake
 * engine: the sender check guards the lab:*Reproductions channels, bad ids are one clear Result
 * error, events go on lab:reproEvent to the window that started the job only, and only that window
 * may stop it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReproductionService } from '../../engine/host/reproduceService.ts';
import type { ReproductionInfo, ReproEvent, Result } from '../../engine/protocol.ts';
import { loadPresetDir } from '../../presets/node.ts';
import { repoRoot } from '../trace/traceFiles.ts';
import { fakeRuns, ipcHarness } from './ipcHarness.ts';

async function setup() {
  const { start, stops } = fakeRuns();
  /** The hardware profile of every run the service started, in order. */
  const hardware: string[] = [];
  const reproductions = new ReproductionService({
    presets: () => loadPresetDir(path.join(repoRoot, 'presets')).set,
    concurrency: () => 1,
    startRun: (config, onProgress) => {
      hardware.push(config.hardware.id);
      return start(config, onProgress);
    },
  });
  const { call, sent, sentEvent } = await ipcHarness(() => ({ reproductions }));
  return { call, sent, sentEvent, stops, hardware };
}

describe('lab:listReproductions / lab:startReproductions / lab:stopReproductions / lab:reproEvent', () => {
  it('refuses a foreign frame before anything runs', async () => {
    const { call, sent } = await setup();
    const r = await call('lab:startReproductions', [['repro-v2-baseline']], { url: 'https://evil.example/' });
    expect(r).toMatchObject({ ok: false, error: { name: 'ForbiddenSender' } });
    expect(sent).toHaveLength(0);
  });

  it('lists the reproductions; bad ids are one clear Result error', async () => {
    const { call } = await setup();
    const list = await call<Result<ReproductionInfo[]>>('lab:listReproductions', []);
    if (!list.ok || !list.value.ok) throw new Error(JSON.stringify(list));
    expect(list.value.value.map((r) => r.id)).toContain('repro-v2-baseline');
    const bad = await call<Result<unknown>>('lab:startReproductions', [['repro-v3']]);
    expect(bad.ok && bad.value).toMatchObject({
      ok: false,
      error: { name: 'UnknownReproduction', message: expect.stringContaining("unknown reproduction 'repro-v3'") },
    });
    const notList = await call<Result<unknown>>('lab:startReproductions', [{ length: 1 }]);
    expect(notList.ok && notList.value).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
  });

  it('events go to the starting window only; another window cannot stop the job; its owner can', async () => {
    const { call, sent, sentEvent, stops } = await setup();
    const r = await call<Result<{ jobId: string }>>('lab:startReproductions', [['repro-v2-baseline']]);
    if (!r.ok || !r.value.ok) throw new Error(JSON.stringify(r));
    const jobId = r.value.value.jobId;
    const reproEvent = (accept: (e: ReproEvent) => boolean, what: string) =>
      sentEvent((s) => s.channel === 'lab:reproEvent' && accept(s.payload as ReproEvent), what);
    // The progress that counts the first run done with the second running: the job's lane sends it, then
    // starts that run in the same step (engine/host/reproduce.ts); the fake's later runs last 400 ms.
    await reproEvent(
      (e) => e.type === 'repro-progress' && e.done === 1 && e.running.length === 1,
      "a 'repro-progress' with the first run done and the second running",
    );
    await call('lab:stopReproductions', [jobId], { id: 2 });
    expect(stops).toEqual([]);
    await call('lab:stopReproductions', [jobId], { id: 1 });
    expect(stops).toEqual([1]);
    await reproEvent((e) => e.type === 'repro-done', "'repro-done'");
    const events = sent.filter((s) => s.channel === 'lab:reproEvent');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((s) => s.to === 1)).toBe(true);
    const types = events.map((e) => (e.payload as ReproEvent).type);
    expect(types).not.toContain('repro-result');
    expect(events.at(-1)!.payload).toEqual({ type: 'repro-done', jobId, stopped: true });
  });

  it('a what-if runs every run on the profile asked for and names it in the result; bad options are clear errors', async () => {
    const { call, sentEvent, hardware } = await setup();
    const unknown = await call<Result<unknown>>('lab:startReproductions', [['repro-v2-baseline'], { profile: 'nope' }]);
    expect(unknown.ok && unknown.value).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/unknown hardware profile 'nope' \(known: .*x86-workstation/) },
    });
    for (const options of ['x86-workstation', { profile: 7 }, { profile: '' }, { hardware: 'x86-workstation' }]) {
      const r = await call<Result<unknown>>('lab:startReproductions', [['repro-v2-baseline'], options]);
      expect(r.ok && r.value, JSON.stringify(options)).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
    }
    expect(hardware).toEqual([]);
    const r = await call<Result<{ jobId: string }>>('lab:startReproductions', [
      ['repro-v2-baseline'],
      { profile: 'x86-workstation' },
    ]);
    if (!r.ok || !r.value.ok) throw new Error(JSON.stringify(r));
    const result = await sentEvent(
      (s) => s.channel === 'lab:reproEvent' && (s.payload as ReproEvent).type === 'repro-result',
      "a 'repro-result'",
    );
    expect(hardware).toEqual(['x86-workstation', 'x86-workstation']);
    expect(result.payload).toMatchObject({ result: { id: 'repro-v2-baseline', profile: 'x86-workstation' } });
    await sentEvent((s) => s.channel === 'lab:reproEvent' && (s.payload as ReproEvent).type === 'repro-done', 'done');
    // The job is forgotten once its outcome settles, just after 'repro-done' (reproduceService.ts).
    await new Promise((r) => setTimeout(r, 0));
    // Control: without the option the same reproduction runs on its own profile (ampere-altra), unnamed.
    const own = await call<Result<{ jobId: string }>>('lab:startReproductions', [['repro-v2-baseline']]);
    if (!own.ok || !own.value.ok) throw new Error(JSON.stringify(own));
    const ownJob = own.value.value.jobId;
    const ownResult = await sentEvent(
      (s) =>
        s.channel === 'lab:reproEvent' &&
        (s.payload as ReproEvent).type === 'repro-result' &&
        (s.payload as ReproEvent).jobId === ownJob,
      "the second job's 'repro-result'",
    );
    expect(hardware.slice(2)).toEqual(['ampere-altra', 'ampere-altra']);
    expect((ownResult.payload as { result: object }).result).not.toHaveProperty('profile');
  });
});
