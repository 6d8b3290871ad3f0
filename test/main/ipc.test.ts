// IPC handlers through their seams: sender check, every lab:* channel round trip with fakes.
import { describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { RunEvent, ScenarioConfig } from '../../engine/protocol.ts';
import { INVOKE_CHANNELS, type Wire } from '../../main/ipc/channels.ts';
import type { Dialogs } from '../../main/ipc/handlers.ts';
import { RunRegistry, type RunHandleLike } from '../../main/runs.ts';
import { encodeSession } from '../../engine/session/index.ts';
import { makeConfig, makeSession } from '../session/fixtures.ts';
import { ipcHarness } from './ipcHarness.ts';

interface FakeRun extends RunHandleLike {
  calls: string[];
  traces: Record<string, Uint32Array>;
  finish(): void;
}

async function setup() {
  const started: FakeRun[] = [];
  const runs = new RunRegistry((config: ScenarioConfig, onEvent: (e: RunEvent) => void, traces) => {
    const runId = `run-${started.length + 1}`;
    onEvent({ type: 'state', runId, state: 'starting' }); // before the handle exists: must be buffered
    let finish = () => {};
    const done = new Promise<void>((r) => (finish = r));
    const run: FakeRun = {
      runId,
      calls: [],
      traces,
      done,
      finish: () => finish(),
      pause: () => run.calls.push('pause'),
      resume: () => run.calls.push('resume'),
      stop: () => run.calls.push('stop'),
    };
    started.push(run);
    queueMicrotask(() => onEvent({ type: 'progress', runId, fraction: 1, virtualMs: config.run.durationMs }));
    return run;
  });
  const dialogAnswers: (string | null)[] = [];
  const dialogCalls: string[] = [];
  const replaceAnswers: boolean[] = [];
  const dialogs: Dialogs = {
    showOpen: async (_w, o) => (dialogCalls.push(`open:${o.title}`), dialogAnswers.shift() ?? null),
    showSave: async (_w, o) => (dialogCalls.push(`save:${o.defaultPath}`), dialogAnswers.shift() ?? null),
    confirmReplace: async (_w, file) => (dialogCalls.push(`replace?:${file}`), replaceAnswers.shift() ?? false),
  };
  const { dir, documents, registered, sent, call } = await ipcHarness(() => ({ runs, dialogs, maxTraceBytes: 4096 }));
  return { dir, started, dialogAnswers, dialogCalls, replaceAnswers, documents, registered, sent, call };
}

const value = <T>(w: Wire<T>): T => {
  if (!w.ok) throw new Error(`${w.error.name}: ${w.error.message}`);
  return w.value;
};

describe('IPC registration and sender check', () => {
  it('registers every lab:* channel once', async () => {
    const { registered } = await setup();
    expect([...registered.keys()].sort()).toEqual([...INVOKE_CHANNELS].sort());
  });

  it('refuses a foreign frame before the handler runs', async () => {
    const { call, started, dialogCalls } = await setup();
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'about:blank']) {
      const r = await call('lab:startRun', [makeConfig()], { url });
      expect(r).toMatchObject({ ok: false, error: { name: 'ForbiddenSender' } });
      const o = await call('lab:openSession', [], { url });
      expect(o.ok).toBe(false);
    }
    expect(started).toHaveLength(0);
    expect(dialogCalls).toHaveLength(0);
  });

  it('turns a bad argument into a wire error, not a crash', async () => {
    const { call } = await setup();
    expect(await call('lab:pauseRun', [{ not: 'an id' }])).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
    expect(await call('lab:loadSessionBytes', ['text', 'x'])).toMatchObject({
      ok: false,
      error: { name: 'BadArgument' },
    });
    expect(await call('lab:importHardwarePreset', [42, 'x'])).toMatchObject({
      ok: false,
      error: { name: 'BadArgument' },
    });
    for (const args of [['1\n2\n', 'a.txt'], [[1, 2], 'a.txt'], [new Uint8Array(1), 7], [new Uint8Array(1)]])
      expect(await call('lab:loadTrace', args)).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
  });
});

describe('lab:* round trips', () => {
  it('lab:listPresets returns the bundled catalog', async () => {
    const { call } = await setup();
    const catalog = value(await call<{ hardware: { id: string }[]; scenarios: unknown[] }>('lab:listPresets', []));
    expect(catalog.hardware.map((h) => h.id).sort()).toEqual(expect.arrayContaining(['ampere-altra']));
    expect(catalog.scenarios.length).toBeGreaterThan(0);
  });

  it('lab:startRun validates, starts, routes events to the owner; pause/resume/stop only the owner', async () => {
    const { call, started, sent } = await setup();
    const bad = value(
      await call<{ ok: boolean; error?: { message: string } }>('lab:startRun', [{ ...makeConfig(), host: 'x' }]),
    );
    expect(bad.ok).toBe(false);
    expect(started).toHaveLength(0);
    const r = value(await call<{ ok: true; value: { runId: string } }>('lab:startRun', [makeConfig()]));
    expect(r).toEqual({ ok: true, value: { runId: 'run-1' } });
    await Promise.resolve();
    expect(sent.map((s) => [s.channel, (s.payload as RunEvent).type])).toEqual([
      ['lab:runEvent', 'state'],
      ['lab:runEvent', 'progress'],
    ]);
    value(await call('lab:pauseRun', ['run-1']));
    value(await call('lab:resumeRun', ['run-1']));
    value(await call('lab:stopRun', ['run-1'], { id: 2 })); // another window: ignored
    value(await call('lab:stopRun', ['run-1']));
    value(await call('lab:stopRun', ['no-such-run']));
    expect(started[0].calls).toEqual(['pause', 'resume', 'stop']);
  });

  it('lab:importHardwarePreset parses a preset file or names the problem', async () => {
    const { call } = await setup();
    const text = await fsp.readFile(new URL('../../presets/hardware/ampere-altra.json', import.meta.url), 'utf8');
    const ok = value(
      await call<{ ok: boolean; value?: { id: string } }>('lab:importHardwarePreset', [text, 'ampere-altra.json']),
    );
    expect(ok).toMatchObject({ ok: true, value: { id: 'ampere-altra' } });
    const bad = value(
      await call<{ ok: boolean; error?: { message: string } }>('lab:importHardwarePreset', [
        '{"nope": 1}',
        'mine.json',
      ]),
    );
    expect(bad.ok).toBe(false);
    expect(bad.error?.message).toMatch(/mine\.json/);
  });

  it('lab:saveSession asks once, then saves to the same path; Save As asks again; cancel is not an error', async () => {
    const { call, dir, dialogAnswers, dialogCalls, documents } = await setup();
    const s = makeSession();
    expect(value(await call('lab:saveSession', [s, { saveAs: false }]))).toEqual({
      ok: true,
      value: { path: '', canceled: true },
    });
    dialogAnswers.push(path.join(dir, 'first')); // no extension typed: .msgpack is added
    expect(value(await call('lab:saveSession', [s, { saveAs: false }]))).toEqual({
      ok: true,
      value: { path: path.join(dir, 'first.msgpack'), canceled: false },
    });
    expect(value(await call('lab:saveSession', [s, { saveAs: false }]))).toMatchObject({
      ok: true,
      value: { path: path.join(dir, 'first.msgpack') },
    });
    expect(dialogCalls).toHaveLength(2);
    dialogAnswers.push(path.join(dir, 'second.msgpack'));
    expect(value(await call('lab:saveSession', [s, { saveAs: true }]))).toMatchObject({
      ok: true,
      value: { path: path.join(dir, 'second.msgpack') },
    });
    expect(documents.recentDocuments).toEqual([path.join(dir, 'second.msgpack'), path.join(dir, 'first.msgpack')]);
    const invalid = value(
      await call<{ ok: boolean; error?: { message: string } }>('lab:saveSession', [
        { ...s, ui: null },
        { saveAs: true },
      ]),
    );
    expect(invalid.ok).toBe(false);
    expect(invalid.error?.message).toMatch(/the session to save is invalid: .*ui/);
  });

  /**
   * Main's path for a window outlives what the renderer shows: New and a reload clear only the renderer's
   * document, and an offered file's acceptance can race another offer. The renderer sends the file it
   * shows (`target`); Save reuses main's path only when it is that file. Negative control (run for this
   * commit): saveTo ignoring `target` writes the untitled session over first.msgpack without asking
   * (dialogCalls 1, the file's bytes changed).
   */
  it("lab:saveSession reuses the window's file only when the renderer shows that file (untitled after New: asks)", async () => {
    const { call, dir, dialogAnswers, dialogCalls } = await setup();
    const first = path.join(dir, 'first.msgpack');
    dialogAnswers.push(first);
    const s = makeSession();
    expect(value(await call('lab:saveSession', [s, { saveAs: false, target: '' }]))).toMatchObject({
      value: { path: first, canceled: false },
    });
    const before = await fsp.readFile(first);
    // The document still shows first.msgpack: Save writes it without asking.
    expect(value(await call('lab:saveSession', [s, { saveAs: false, target: first }]))).toMatchObject({
      value: { path: first },
    });
    expect(dialogCalls).toHaveLength(1);
    // New (untitled) or another file shown: Save asks; cancelling leaves first.msgpack as it was.
    const other = { ...s, savedAt: '2031-01-01T00:00:00.000Z' };
    expect(value(await call('lab:saveSession', [other, { saveAs: false, target: '' }]))).toEqual({
      ok: true,
      value: { path: '', canceled: true },
    });
    expect(
      value(await call('lab:saveSession', [other, { saveAs: false, target: path.join(dir, 'a.msgpack') }])),
    ).toEqual({
      ok: true,
      value: { path: '', canceled: true },
    });
    expect(dialogCalls).toHaveLength(3);
    expect(await fsp.readFile(first)).toEqual(before);
    // An older renderer (no target) keeps the window's path; a non-string target never reuses it.
    expect(value(await call('lab:saveSession', [s, { saveAs: false }]))).toMatchObject({ value: { path: first } });
    expect(value(await call('lab:saveSession', [s, { saveAs: false, target: 7 }]))).toMatchObject({
      value: { canceled: true },
    });
    expect(dialogCalls).toHaveLength(4);
  });

  it('lab:openSession decodes the chosen file, reports a corrupt one, returns null on cancel', async () => {
    const { call, dir, dialogAnswers } = await setup();
    const s = makeSession();
    const good = path.join(dir, 'good.msgpack');
    await fsp.writeFile(good, encodeSession(s));
    const bad = path.join(dir, 'bad.msgpack');
    await fsp.writeFile(bad, new Uint8Array([1, 2, 3]));
    expect(value(await call('lab:openSession', []))).toEqual({ ok: true, value: null });
    dialogAnswers.push(good);
    expect(value(await call('lab:openSession', []))).toEqual({ ok: true, value: { session: s, path: good } });
    dialogAnswers.push(bad);
    const r = value(await call<{ ok: boolean; error?: { message: string } }>('lab:openSession', []));
    expect(r.ok).toBe(false);
    expect(r.error?.message).toMatch(/bad\.msgpack: not an Overcommit Lab session|bad\.msgpack: corrupt/);
  });

  it('lab:loadSessionBytes decodes dropped bytes and names the file in errors', async () => {
    const { call } = await setup();
    const s = makeSession();
    expect(value(await call('lab:loadSessionBytes', [encodeSession(s), '/x/y/dropped.msgpack']))).toEqual({
      ok: true,
      value: { session: s, path: 'dropped.msgpack' },
    });
    const r = value(
      await call<{ ok: boolean; error?: { message: string } }>('lab:loadSessionBytes', [
        new Uint8Array([0x92]),
        'trunc.msgpack',
      ]),
    );
    expect(r.error?.message).toMatch(/^trunc\.msgpack: corrupt or truncated/);
  });

  it('lab:exportCsv writes the selected run as CSV', async () => {
    const { call, dir, dialogAnswers } = await setup();
    dialogAnswers.push(path.join(dir, 'out.csv'));
    expect(value(await call('lab:exportCsv', [makeSession()]))).toEqual({
      ok: true,
      value: { path: path.join(dir, 'out.csv'), canceled: false },
    });
    expect((await fsp.readFile(path.join(dir, 'out.csv'), 'utf8')).split('\n')[0]).toMatch(/^tMs,accesses,hitRate/);
    expect(value(await call<{ ok: boolean }>('lab:exportCsv', [makeSession([])])).ok).toBe(false);
  });

  /**
   * A Linux save dialog asks before replacing the name typed ("older"), not "older.msgpack", the file
   * written: main asks about that one (s18-f; before, Save As "older" replaced older.msgpack silently).
   */
  it('Save As to a name whose added extension makes an existing file asks before replacing it', async () => {
    const { call, dir, dialogAnswers, dialogCalls, replaceAnswers } = await setup();
    const older = path.join(dir, 'older.msgpack');
    await fsp.writeFile(older, 'older runs');
    dialogAnswers.push(path.join(dir, 'older'));
    replaceAnswers.push(false);
    expect(value(await call('lab:saveSession', [makeSession(), { saveAs: true }]))).toEqual({
      ok: true,
      value: { path: '', canceled: true },
    });
    expect(dialogCalls.at(-1)).toBe(`replace?:${older}`);
    expect(await fsp.readFile(older, 'utf8')).toBe('older runs');
    dialogAnswers.push(path.join(dir, 'older'));
    replaceAnswers.push(true);
    expect(value(await call('lab:saveSession', [makeSession(), { saveAs: true }]))).toMatchObject({
      value: { path: older, canceled: false },
    });
    expect(await fsp.readFile(older, 'utf8')).not.toBe('older runs');
    dialogAnswers.push(path.join(dir, 'new-name')); // a free name: no question
    const asked = dialogCalls.length;
    expect(value(await call('lab:saveSession', [makeSession(), { saveAs: true }]))).toMatchObject({
      value: { path: path.join(dir, 'new-name.msgpack') },
    });
    expect(dialogCalls.length).toBe(asked + 1); // the save dialog only
  });

  it('lab:exportFile asks where, adds the extension and writes the bytes atomically; bad kinds are refused', async () => {
    const { call, dir, dialogAnswers } = await setup();
    dialogAnswers.push(path.join(dir, 'chart')); // a Linux dialog returns no extension
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    expect(value(await call('lab:exportFile', [png, 'chart-hitRate.png', 'png']))).toEqual({
      ok: true,
      value: { path: path.join(dir, 'chart.png'), canceled: false },
    });
    expect(new Uint8Array(await fsp.readFile(path.join(dir, 'chart.png')))).toEqual(png);
    expect((await fsp.readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Canceled dialog: nothing written.
    expect(value(await call('lab:exportFile', [png, 'x.svg', 'svg']))).toEqual({
      ok: true,
      value: { path: '', canceled: true },
    });
    const bad = (await call('lab:exportFile', [png, 'x.exe', 'exe'])) as Wire<unknown>;
    expect(bad.ok).toBe(false);
    const notBytes = (await call('lab:exportFile', ['text', 'x.csv', 'csv'])) as Wire<unknown>;
    expect(notBytes.ok).toBe(false);
  });

  it('lab:setUnsaved keeps what each window would lose; malformed words are refused', async () => {
    const { call, documents } = await setup();
    expect(value(await call('lab:setUnsaved', [{ runs: 2, setup: true }], { id: 7 }))).toBeUndefined();
    expect(documents.unsaved(7)).toEqual({ runs: 2, setup: true });
    expect(documents.unsaved(8)).toBeNull();
    expect(
      value(await call('lab:setUnsaved', [{ runs: null, setup: false, sweepRuns: 12 }], { id: 7 })),
    ).toBeUndefined();
    expect(documents.unsaved(7)).toEqual({ runs: null, setup: false, sweepRuns: 12 });
    expect(value(await call('lab:setUnsaved', [null], { id: 7 }))).toBeUndefined();
    expect(documents.unsaved(7)).toBeNull();
    for (const bad of [
      { runs: -1, setup: true },
      { runs: 1.5, setup: false },
      { runs: null },
      { runs: null, setup: true, sweepRuns: -3 },
      { runs: null, setup: true, sweepRuns: '12' },
      'setup',
      undefined,
    ]) {
      const r = await call('lab:setUnsaved', [bad], { id: 7 });
      expect(r).toMatchObject({ ok: false, error: { name: 'BadArgument' } });
    }
    expect(documents.unsaved(7)).toBeNull();
  });

  it('lab:acceptOpened takes only the file offered to that window; until then Save keeps its target', async () => {
    const { call, documents } = await setup();
    documents.setCurrentPath(1, '/s/mine.msgpack');
    documents.offer(1, '/s/other.msgpack');
    expect(documents.currentPath(1)).toBe('/s/mine.msgpack'); // offered, not accepted: Save writes mine
    expect(value(await call('lab:acceptOpened', ['/s/other.msgpack'], { id: 2 }))).toBe(false); // not window 2's
    expect(value(await call('lab:acceptOpened', ['/etc/passwd'], { id: 1 }))).toBe(false);
    expect(documents.currentPath(1)).toBe('/s/mine.msgpack');
    expect(value(await call('lab:acceptOpened', ['/s/other.msgpack'], { id: 1 }))).toBe(true);
    expect(documents.currentPath(1)).toBe('/s/other.msgpack');
    expect(documents.recentDocuments[0]).toBe('/s/other.msgpack');
    expect(value(await call('lab:acceptOpened', ['/s/other.msgpack'], { id: 1 }))).toBe(false); // once
  });

  it('lab:loadTrace parses a trace, keeps its page ids in main per window and replays it in that window', async () => {
    const { call, started } = await setup();
    const bytes = new TextEncoder().encode('10\n20\n10\n30\n');
    const loaded = value(await call('lab:loadTrace', [bytes, '/home/u/traces/mini.txt']));
    expect(loaded).toEqual({ ok: true, value: { name: 'mini', requests: 4, distinct: 3 } });

    const config = makeConfig();
    config.guests[0].workload = { kind: 'trace', trace: 'mini', writeFraction: 0, thinkNs: 0 };
    const r = value(await call<{ ok: boolean }>('lab:startRun', [config]));
    expect(r.ok).toBe(true);
    expect(Object.keys(started[0].traces)).toEqual(['mini']);
    expect([...started[0].traces.mini]).toEqual([0, 1, 0, 2]);

    // Another window has not loaded it: a clear validation error, no run.
    const other = value(await call<{ ok: boolean; error?: { message: string } }>('lab:startRun', [config], { id: 2 }));
    expect(other.ok).toBe(false);
    expect(other.error?.message).toMatch(
      /guests\[0\] 'db'\.workload\.trace: replays trace 'mini', which is not loaded/,
    );
    expect(started).toHaveLength(1);
  });

  it('lab:loadTrace names the file and the problem for a malformed, empty, unknown or oversized trace', async () => {
    const { call } = await setup();
    const err = async (bytes: Uint8Array, name: string) => {
      const r = value(
        await call<{ ok: boolean; error?: { name: string; message: string } }>('lab:loadTrace', [bytes, name]),
      );
      expect(r.ok).toBe(false);
      return r.error!;
    };
    const enc = (t: string) => new TextEncoder().encode(t);
    expect((await err(enc('1\n2\nthree\n'), 'bad.txt')).message).toBe(
      'bad.txt: line 3: object id "three" is not a non-negative integer',
    );
    expect((await err(enc(''), 'empty.txt')).message).toMatch(/^empty\.txt: empty trace/);
    expect((await err(enc('x'), 'notes.doc')).message).toMatch(/^notes\.doc: unknown trace encoding/);
    expect((await err(new Uint8Array(25), 'odd.bin')).message).toMatch(/^odd\.bin: record 2 is truncated/);
    expect(await err(new Uint8Array(4097), 'huge.txt')).toMatchObject({
      name: 'TraceTooLarge',
      message: 'huge.txt: trace file too large (4097 bytes, the limit is 4096)',
    });
  });
});
