/**
 * Issue 11, defect 5 (IPC): at most MAX_RUNS_PER_WINDOW runs going per window, and trace files and
 * session bytes parsed by the parse service (a worker in Electron main), never inline in a handler.
 * Also the shared atomic writer both hosts use (defect 1) through its fs seam.
 */
import { promises as fsp, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { Result, RunEvent, ScenarioConfig, SessionData } from '../../engine/protocol.ts';
import { createIpcHandlers, type CallContext } from '../../main/ipc/handlers.ts';
import { MAX_RUNS_PER_WINDOW, RunRegistry } from '../../main/runs.ts';
import { createSessionFiles } from '../../main/sessionFiles.ts';
import { DocumentState } from '../../main/documents.ts';
import { createPresets } from '../../main/presets.ts';
import { WindowTraces } from '../../main/traces.ts';
import { encodeSession } from '../../engine/session/index.ts';
import type { TraceData } from '../../engine/core/trace/index.ts';
import { inlineParseService, workerParseService, type ParseService } from '../../engine/host/node/parseService.ts';
import {
  AtomicTargetExistsError,
  checkWritableTarget,
  writeFileAtomic,
  type AtomicFs,
} from '../../engine/host/node/atomicFile.ts';
import { makeConfig, makeSession } from '../session/fixtures.ts';

const workers = (await import(new URL('../../scripts/workers.mjs', import.meta.url).href)) as {
  workerPath(name: string): string;
};
const tmp = mkdtempSync(path.join(tmpdir(), 'lab-rel-ipc-'));

function owner(id: number): CallContext {
  return { owner: { id, send: () => {}, isDestroyed: () => false }, window: null };
}

function setup(parser?: ParseService) {
  const finishers: (() => void)[] = [];
  const runs = new RunRegistry((_config: ScenarioConfig, _onEvent: (e: RunEvent) => void) => {
    let finish = () => {};
    const done = new Promise<void>((r) => (finish = r));
    finishers.push(() => finish());
    return { runId: `run-${finishers.length}`, done, pause() {}, resume() {}, stop() {} };
  });
  const handlers = createIpcHandlers({
    runs,
    presets: createPresets(),
    dialogs: { showOpen: async () => null, showSave: async () => null, confirmReplace: async () => false },
    files: createSessionFiles(fsp),
    documents: new DocumentState({ defaultDir: tmp, store: { load: async () => [], save: async () => {} } }),
    traces: new WindowTraces(),
    parser,
  });
  return { handlers, finishers };
}

describe('concurrent runs per window', () => {
  it(`refuses run ${MAX_RUNS_PER_WINDOW + 1} of a window with one sentence; other windows are unaffected`, async () => {
    const { handlers, finishers } = setup();
    const start = (id: number) => handlers['lab:startRun'](owner(id), [makeConfig()]);
    for (let i = 0; i < MAX_RUNS_PER_WINDOW; i++) expect((await start(1)).ok).toBe(true);
    const refused = await start(1);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.name).toBe('TooManyRuns');
      expect(refused.error.message).toMatch(/^this window already has 4 runs going: stop one/);
    }
    expect((await start(2)).ok).toBe(true); // another window
    finishers[0]();
    await new Promise((r) => setTimeout(r, 0));
    expect((await start(1)).ok).toBe(true); // a finished run frees its place
  });
});

describe('parsing off the main thread', () => {
  /** Records what it was asked, answers like the inline service. */
  function recording(): ParseService & { calls: string[] } {
    const inner = inlineParseService();
    const calls: string[] = [];
    return {
      calls,
      parseTrace: (bytes, file, name) => (calls.push(`trace:${file}:${name}`), inner.parseTrace(bytes, file, name)),
      decodeSession: (bytes, max) => (calls.push('session'), inner.decodeSession(bytes, max)),
      parseHardwarePreset: (text, file) => (calls.push(`hardware:${file}`), inner.parseHardwarePreset(text, file)),
      close() {},
    };
  }

  it('lab:loadTrace, lab:loadSessionBytes and lab:importHardwarePreset hand their input to the parse service', async () => {
    const parser = recording();
    const { handlers } = setup(parser);
    const t = await handlers['lab:loadTrace'](owner(1), [new TextEncoder().encode('1\n2\n1\n'), 'dir/small.txt']);
    expect(t).toEqual({ ok: true, value: { name: 'small', requests: 3, distinct: 2 } });
    const s = await handlers['lab:loadSessionBytes'](owner(1), [encodeSession(makeSession()), 'a.msgpack']);
    expect(s.ok).toBe(true);
    const hw = await handlers['lab:importHardwarePreset'](owner(1), ['{}', 'hw.json']);
    expect(hw.ok).toBe(false);
    expect(parser.calls).toEqual(['trace:small.txt:small', 'session', 'hardware:hw.json']);
  });

  const service = workerParseService(() => new Worker(workers.workerPath('parse-worker')));
  afterAll(() => service.close());

  it('the worker service parses traces and sessions as the inline code does', async () => {
    const inline = inlineParseService();
    const bytes = new TextEncoder().encode('5\n7\n5\n');
    const a = await service.parseTrace(bytes, 'x.txt', 'x');
    expect(a).toEqual(await inline.parseTrace(bytes, 'x.txt', 'x'));
    expect((a as Result<TraceData> & { ok: true }).value.pageIds).toBeInstanceOf(Uint32Array);
    const bad = await service.parseTrace(new TextEncoder().encode('1\nx\n'), 'x.txt', 'x');
    expect(bad).toEqual({
      ok: false,
      error: { name: 'TraceFormatError', message: 'x.txt: line 2: object id "x" is not a non-negative integer' },
    });
    const session = encodeSession(makeSession());
    const d = (await service.decodeSession(session)) as Result<SessionData> & { ok: true };
    expect(d.value).toEqual(((await inline.decodeSession(session)) as Result<SessionData> & { ok: true }).value);
    const corrupt = await service.decodeSession(session.subarray(0, 100));
    expect(!corrupt.ok && corrupt.error.message).toMatch(/^corrupt or truncated session file: /);
  });
});

describe('atomic writes (shared by CLI and main)', () => {
  it('chunks are written in order; a failure in any step leaves the target and no temp file', async () => {
    const file = path.join(tmp, 'out.csv');
    await writeFileAtomic(file, ['a,b\n', '1,2\n', '3,4\n']);
    expect(readFileSync(file, 'utf8')).toBe('a,b\n1,2\n3,4\n');
    for (const step of ['open', 'write', 'sync', 'rename'] as const) {
      const failing: AtomicFs = {
        open: async (p, flags) => {
          if (step === 'open') throw Object.assign(new Error('no'), { code: 'ENOSPC' });
          const h = await fsp.open(p, flags);
          return {
            writeFile: async (d) => {
              if (step === 'write') throw Object.assign(new Error('no'), { code: 'EFBIG' });
              await h.writeFile(d);
            },
            sync: async () => {
              if (step === 'sync') throw Object.assign(new Error('no'), { code: 'EIO' });
              await h.sync();
            },
            close: () => h.close(),
          };
        },
        rename: async (a, b) => {
          if (step === 'rename') throw Object.assign(new Error('no'), { code: 'EACCES' });
          await fsp.rename(a, b);
        },
        unlink: (p) => fsp.unlink(p),
      };
      await expect(writeFileAtomic(file, 'new', failing)).rejects.toThrow(/; the previous file is unchanged$/);
      expect(readFileSync(file, 'utf8')).toBe('a,b\n1,2\n3,4\n');
      expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
  });

  it('{ replace: false } never replaces an existing file, with hard links or without', async () => {
    const file = path.join(tmp, 'kept.msgpack');
    writeFileSync(file, 'older runs');
    const noLinks: AtomicFs = {
      ...fsp,
      open: (p, flags) => fsp.open(p, flags),
      link: async () => {
        throw Object.assign(new Error('no'), { code: 'EPERM' }); // vfat: link(2) is not supported
      },
      lstat: (p) => fsp.lstat(p),
    };
    for (const fs of [fsp, noLinks]) {
      await expect(writeFileAtomic(file, 'new', fs, { replace: false })).rejects.toBeInstanceOf(
        AtomicTargetExistsError,
      );
      expect(readFileSync(file, 'utf8')).toBe('older runs');
      expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const fresh = path.join(tmp, `fresh-${fs === fsp ? 'link' : 'nolink'}.msgpack`);
      await writeFileAtomic(fresh, 'new', fs, { replace: false });
      expect(readFileSync(fresh, 'utf8')).toBe('new');
      expect(readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
    await writeFileAtomic(file, 'replaced'); // the default replaces, as Save does
    expect(readFileSync(file, 'utf8')).toBe('replaced');
  });

  it('checkWritableTarget refuses a missing folder, a file as folder and a folder as target', () => {
    writeFileSync(path.join(tmp, 'plain'), '');
    expect(checkWritableTarget('/nonexistent/x.msgpack')).toMatch(/the folder does not exist/);
    expect(checkWritableTarget(path.join(tmp, 'plain', 'x.msgpack'))).toMatch(/is not a folder/);
    expect(checkWritableTarget(tmp)).toMatch(/exists and is not a regular file/);
    expect(checkWritableTarget(path.join(tmp, 'fine.msgpack'))).toBeNull();
  });
});
