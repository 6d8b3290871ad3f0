// Shared e2e helpers: Debian Chromium through playwright-core with a fresh profile, and page hooks.
/* global window, document, requestAnimationFrame, DataTransfer, DragEvent -- code passed to page.evaluate runs in the page */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

export const URL_UNDER_TEST = process.env.E2E_URL ?? 'http://127.0.0.1:5173/';
export const SHOTS = path.resolve('test-results', 'e2e');
mkdirSync(SHOTS, { recursive: true });

export async function launch() {
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'ocl-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
    acceptDownloads: true,
  });
  // Long tasks on the renderer thread, recorded from page start (the UI must never block > 100 ms during a run).
  await context.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  return {
    context,
    page,
    consoleErrors,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Every summary cell of column `col`, keyed by test id (summary-<metric>-<col>). */
export async function summaryCells(page, col = 0) {
  return page.$$eval(`[data-testid^="summary-"][data-testid$="-${col}"]`, (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-testid'), e.textContent.trim()])),
  );
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

/**
 * Waits until every chart of `view` (data-testid of the run or compare view) exists (charts are created
 * one per animation frame) and, when the view shows finished runs (its data-rows), has drawn every row;
 * then two more frames so the last draw is on screen. Call before reading chart hooks or taking a shot.
 */
export async function chartsSettled(page, view, timeout = 15_000) {
  await page.waitForFunction(
    (v) => {
      const root = document.querySelector(`[data-testid="${v}"]`);
      if (!root) return false;
      const canvases = [...root.querySelectorAll('canvas[data-testid^="chart-"]')];
      const rows = root.dataset.rows;
      return (
        canvases.length > 0 &&
        canvases.every((c) => c.dataset.mounted === 'true' && (rows === undefined || c.dataset.rows === rows))
      );
    },
    view,
    { timeout },
  );
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * Drops a file on the element matching `selector` the way a user's drag does: dragover then drop events
 * carrying a DataTransfer that holds the file.
 */
export async function dropFile(page, selector, name, bytes) {
  await page.evaluate(
    ({ selector, name, b64 }) => {
      const bin = atob(b64);
      const data = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) data[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([data], name));
      const target = document.querySelector(selector);
      if (!target) throw new Error(`nothing matches ${selector}`);
      for (const type of ['dragenter', 'dragover', 'drop'])
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { selector, name, b64: Buffer.from(bytes).toString('base64') },
  );
}

/**
 * Main-thread task timing from a Chrome trace (CDP Tracing). A PerformanceObserver long task is wall
 * time: on a loaded CI machine the OS can deschedule the renderer mid-task and inflate it. The trace's
 * `tdur` is the thread's CPU time for the same task, so "the UI did > 100 ms of work in one task" is
 * judged on it. Returns { stop(): Promise<{ maxCpuMs, maxWallMs, tasksOver100Cpu }> }.
 */
export async function traceMainThread(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Tracing.start', {
    categories: 'toplevel,disabled-by-default-devtools.timeline',
    transferMode: 'ReturnAsStream',
    options: 'record-as-much-as-possible',
  });
  return {
    async stop() {
      const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      const { stream } = await complete;
      let text = '';
      for (;;) {
        const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
        text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
        if (chunk.eof) break;
      }
      await cdp.send('IO.close', { handle: stream });
      await cdp.detach();
      const parsed = JSON.parse(text);
      const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
      const main = new Set(
        events
          .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
          .map((e) => `${e.pid}:${e.tid}`),
      );
      const tasks = events.filter(
        (e) =>
          e.ph === 'X' &&
          (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') &&
          main.has(`${e.pid}:${e.tid}`),
      );
      const cpu = tasks.map((e) => (e.tdur ?? e.dur) / 1000);
      return {
        tasks: tasks.length,
        maxCpuMs: Math.max(0, ...cpu),
        maxWallMs: Math.max(0, ...tasks.map((e) => e.dur / 1000)),
        tasksOver100Cpu: cpu.filter((ms) => ms > 100).length,
      };
    },
  };
}

/** Reloads `page`, dismissing any beforeunload question; returns how many were asked (0 or 1). */
export async function reloadAsked(page) {
  let asked = 0;
  const onDialog = async (d) => {
    if (d.type() === 'beforeunload') asked++;
    await d.dismiss();
  };
  page.on('dialog', onDialog);
  await page.reload({ timeout: 3000 }).catch(() => {});
  page.off('dialog', onDialog);
  return asked;
}

/**
 * node:test hooks for a test file's own browser: `before` launches a fresh one, opens the lab and waits
 * for its profile list, then hands the page to `opened`; `after` prints the page's console errors and
 * closes the browser.
 * @param {(page: import('playwright-core').Page) => void | Promise<void>} opened
 */
export function labInBrowser(opened) {
  /** @type {Awaited<ReturnType<typeof launch>> | undefined} */
  let b;
  before(async () => {
    b = await launch();
    await b.page.goto(URL_UNDER_TEST);
    await b.page.waitForSelector('[data-testid="profile-select"] option', { state: 'attached' });
    await opened(b.page);
  });
  after(async () => {
    if (b?.consoleErrors.length) console.log('page errors:\n' + b.consoleErrors.join('\n'));
    await b?.close();
  });
}
