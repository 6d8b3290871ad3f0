/**
 * Acceptance: the BUILT main bundle boots under plain Node with a stubbed electron module, runs a
 * scenario via lab:* on the real engine (worker_threads) and writes a session file that decodes to the
 * same summary and the same sample columns (bit for bit).
 *
 * The build is the real one (`electron-vite build`, electron.vite.config.ts) into .cache/main-boot/out,
 * so it does not disturb out/. boot/driver.mjs plays the renderer; boot/electronStub.mjs records what
 * main registers; boot/hooks.mjs maps `electron` to the stub.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeSession } from '../../engine/session/index.ts';
import { CSP, WEB_PREFERENCES } from '../../main/security.ts';
import { INVOKE_CHANNELS } from '../../main/ipc/channels.ts';
// @ts-expect-error plain .mjs helper without types
import { digestColumns } from './boot/digest.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(root, '.cache', 'main-boot', 'out');
const boot = path.join(root, 'test', 'main', 'boot');

interface BootReport {
  channels: string[];
  webPreferences: Record<string, unknown>;
  loadedUrl: string;
  foreign: { ok: boolean; error?: { name: string } };
  scenario: string;
  eventTypes: string[];
  saved: { ok: boolean; value?: { path: string; canceled: boolean } };
  summary: unknown;
  rows: number;
  columnDigest: string;
  protocol: { status: number; csp: string };
  permission: boolean;
  traceLoaded: { ok: boolean; value?: { name: string; requests: number; distinct: number } };
  traceRun: { accesses: number; misses: number };
  unloadGuard: { cancelled: boolean; discarded: boolean; messages: string[] };
  offer: {
    path: string;
    saveWhileDeclined: unknown;
    declinedUnchanged: boolean;
    foreignAccept: boolean;
    accepted: boolean;
    saveAfterAccept: unknown;
  };
}

describe('built main bundle under Node with a stubbed electron', () => {
  let report: BootReport;
  let sessionPath: string;

  beforeAll(async () => {
    await fsp.rm(outDir, { recursive: true, force: true });
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'),
        'build',
        '--outDir',
        outDir,
        '--logLevel',
        'warn',
      ],
      { cwd: root, stdio: 'pipe' },
    );
    sessionPath = path.join(await fsp.mkdtemp(path.join(os.tmpdir(), 'lab-boot-')), 'boot.msgpack');
    const child = spawnSync(
      process.execPath,
      [
        '--import',
        path.join(boot, 'register.mjs'),
        path.join(boot, 'driver.mjs'),
        path.join(outDir, 'main/index.js'),
        sessionPath,
      ],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const line = child.stdout.split('\n').find((l) => l.startsWith('BOOT-REPORT '));
    if (child.status !== 0 || !line)
      throw new Error(`boot driver failed (status ${child.status}):\n${child.stdout}\n${child.stderr}`);
    report = JSON.parse(line.slice('BOOT-REPORT '.length)) as BootReport;
  });

  it('registers every lab:* channel and opens a secure window on lab://app', () => {
    expect(report.channels).toEqual([...INVOKE_CHANNELS].sort());
    expect(report.webPreferences).toMatchObject(WEB_PREFERENCES);
    expect(String(report.webPreferences.preload)).toBe(path.join(outDir, 'preload/index.cjs'));
    expect(report.loadedUrl).toBe('lab://app/index.html');
    expect(report.protocol).toEqual({ status: 200, csp: CSP });
    expect(report.foreign).toMatchObject({ ok: false, error: { name: 'ForbiddenSender' } });
    expect(report.permission).toBe(false);
  });

  it("an OS-opened file becomes Save's target only once the renderer opens it (a declined one is never overwritten)", () => {
    const declined = `${sessionPath}.other.msgpack`;
    expect(report.offer).toEqual({
      path: declined,
      saveWhileDeclined: { ok: true, value: { path: sessionPath, canceled: false } },
      declinedUnchanged: true,
      foreignAccept: false,
      accepted: true,
      saveAfterAccept: { ok: true, value: { path: declined, canceled: false } },
    });
  });

  it('asks before a close / reload drops unsaved work, naming it as the renderer said (lab:setUnsaved)', () => {
    expect(report.unloadGuard).toEqual({
      cancelled: false,
      discarded: true,
      messages: [
        'This session has unsaved changes: setup edits.',
        'This session has unsaved changes: 2 runs and setup edits.',
      ],
    });
  });

  it('runs a scenario on the engine via lab:startRun and streams its events', () => {
    expect(report.scenario).toBe('seed-debate');
    expect(report.eventTypes).toEqual(expect.arrayContaining(['state', 'progress', 'samples', 'done']));
    expect(report.rows).toBeGreaterThan(0);
  });

  it('loads a trace via lab:loadTrace and replays it in a run of the same window', () => {
    expect(report.traceLoaded).toEqual({ ok: true, value: { name: 'boot', requests: 6, distinct: 3 } });
    // Six requests to three pages, all of which fit: three cold misses.
    expect(report.traceRun).toEqual({ accesses: 6, misses: 3 });
  });

  it('writes a session file (lab:saveSession) that decodes to the same summary and columns', async () => {
    expect(report.saved).toEqual({ ok: true, value: { path: sessionPath, canceled: false } });
    const r = decodeSession(new Uint8Array(await fsp.readFile(sessionPath)));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.runs).toHaveLength(1);
    // The boot report crossed a process boundary as JSON (NaN became null): compare in that form.
    expect(JSON.parse(JSON.stringify(r.value.runs[0].summary))).toEqual(report.summary);
    expect(r.value.runs[0].samples.tMs.length).toBe(report.rows);
    expect(digestColumns(r.value.runs[0].samples)).toBe(report.columnDigest);
  });
});
