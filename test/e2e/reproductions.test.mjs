// The Reproductions view of the browser edition (issue 7): the table `lab reproduce` prints (published,
/* global document, window, requestAnimationFrame -- code passed to page.evaluate runs in the page */
// lab, band, in band) for every reproduction; the cheapest one (repro-v2-baseline: two runs) run on Web
// Workers in the background with progress and without a long task, its lab figure the same as the CLI's
// for the same reproduction, its runs' curves drawn from their samples, its inputs listed with sources;
// then the same on the x86 workstation as a what-if (the CLI's --profile figure; the own-hardware result
// stays); then Run all stopped at once: nothing half-done appears, the finished result stays.
// Screenshots in light and dark: test-results/e2e/r*.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { URL_UNDER_TEST, chartsSettled, launch, shot, traceMainThread } from './browser.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RUN_TIMEOUT = 150_000;
const ID = 'repro-v2-baseline';
const row = (figure) => `[data-testid="repro-row-${ID}-${figure}"]`;

/** Screenshots of the current screen in light and in dark (the system setting, emulated). */
async function shots(page, name) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await shot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function cells(page, figure) {
  const text = async (col) => (await page.textContent(`${row(figure)} [data-testid="repro-${col}"]`)).trim();
  return {
    published: await text('published'),
    lab: await text('lab'),
    band: await text('band'),
    inBand: await text('inband'),
  };
}

describe('the Reproductions view (issue 7)', () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let b;
  let page;

  before(async () => {
    b = await launch();
    page = b.page;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(URL_UNDER_TEST);
    await page.waitForSelector('[data-testid="profile-select"] option', { state: 'attached' });
  });

  after(async () => {
    if (b?.consoleErrors.length) console.log('page errors:\n' + b.consoleErrors.join('\n'));
    await b?.close();
  });

  it('lists every reproduction with its published figure and band, and says what a reproduction and a band are', async () => {
    await page.keyboard.press('5');
    await page.waitForSelector(row('time-ratio'));
    assert.equal(await page.getAttribute('[data-testid="tab-repro"]', 'aria-selected'), 'true');
    const intro = await page.textContent('[data-testid="repro-intro"]');
    assert.match(intro, /A reproduction/);
    assert.match(intro, /The band/);
    // Published 64 s -> 51 s; the band from the issue; no lab value before a run.
    assert.deepEqual(await cells(page, 'time-ratio'), {
      published: '1.255',
      lab: '—',
      band: '[1.1, 1.5]',
      inBand: '—',
    });
    const rows = await page.locator('[data-testid^="repro-row-"]').count();
    assert.equal(rows, 7, 'one row per figure of the four reproductions');
    await shots(page, 'r01-reproductions-listed');
  });

  it('runs one reproduction in the background: progress, no long task, the CLI’s figure, curves from its runs', async () => {
    await page.click(`[data-testid="repro-select-${ID}"]`);
    await page.evaluate(() => (window.__longTasks.length = 0));
    const trace = await traceMainThread(b.context, page);
    const t0 = Date.now();
    await page.click(`[data-testid="repro-run-${ID}"]`);
    await page.waitForSelector('[data-testid="repro-stop"]');
    await page.waitForFunction(
      () =>
        Number(
          document
            .querySelector('[data-testid="repro-view"] [data-testid="progress"]')
            ?.getAttribute('aria-valuenow') ?? 0,
        ) > 0,
      null,
      { timeout: RUN_TIMEOUT },
    );
    await shots(page, 'r02-reproduction-running');
    // While the runs go the view still answers: open the inputs.
    await page.click('[data-testid="repro-inputs"] summary');
    const inputs = await page.textContent('[data-testid="repro-inputs"]');
    assert.match(inputs, /cost memAccess/);
    assert.match(inputs, /scenario preset repro-max-guest-memory-v2/);
    await page.click('[data-testid="repro-inputs"] summary');
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent.trim() !== '—',
      `${row('time-ratio')} [data-testid="repro-inband"]`,
      { timeout: RUN_TIMEOUT },
    );
    const wallS = (Date.now() - t0) / 1000;
    await page.waitForFunction(() => document.querySelector('[data-testid="repro-status"]')?.textContent === 'done');
    const cpu = await trace.stop();
    const longTasks = await page.evaluate(() => window.__longTasks);
    const worst = Math.max(0, ...longTasks.map((t) => t.duration));
    console.log(
      `# ${ID} in the browser: ${wallS.toFixed(1)} s wall; long tasks (wall) ${longTasks.length}, worst ${worst.toFixed(0)} ms; ` +
        `main-thread worst CPU ${cpu.maxCpuMs.toFixed(1)} ms`,
    );
    assert.ok(cpu.tasks > 0);
    // A guard against a frozen page (work that belongs in the engine's workers run on the main thread:
    // seconds), not a speed target: the worst task is printed above (~78 ms of CPU at load 8, 116 ms once at
    // load 10-12, where a 100 ms bound failed), and 250 ms is about where a freeze becomes visible.
    assert.ok(worst <= 250 || cpu.maxCpuMs <= 250, `long task of ${worst.toFixed(0)} ms during the reproduction`);

    const got = await cells(page, 'time-ratio');
    assert.equal(got.published, '1.255');
    assert.equal(got.band, '[1.1, 1.5]');
    assert.match(got.lab, /^\d+\.\d{3}$/);
    const lab = Number(got.lab);
    assert.equal(
      got.inBand,
      lab >= 1.1 && lab <= 1.5 ? 'yes' : 'NO',
      'in band says whether the lab value is in the band',
    );

    // The same reproduction from the command line (same presets, same deterministic runs): the same figure.
    const cli = spawnSync(process.execPath, ['scripts/lab.mjs', 'reproduce', ID, '--json'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, LAB_NO_WORKER_BUILD: '1' },
    });
    assert.ok(cli.stdout.trim().startsWith('['), `lab reproduce printed no JSON (exit ${cli.status}): ${cli.stderr}`);
    const [fig] = JSON.parse(cli.stdout);
    assert.equal(got.lab, fig.lab.toFixed(3), `UI ${got.lab} vs lab reproduce ${fig.lab}`);
    assert.equal(got.inBand, fig.inBand ? 'yes' : 'NO');

    // Curves: one line per run (before, after), every sample of each drawn.
    await chartsSettled(page, 'repro-detail');
    const rows = Number(await page.getAttribute('[data-testid="repro-detail"]', 'data-rows'));
    assert.ok(rows >= 10, `${rows} sample rows`);
    for (const col of ['throughput', 'hitRate', 'lockWaitNs'])
      assert.equal(Number(await page.getAttribute(`[data-testid="chart-${col}"]`, 'data-rows')), rows, col);
    // Each run draws every one of its samples; the runs end when their work does (run 2 of the test), so
    // their lengths may differ: the points drawn are the sum of the runs' rows, the longest is `rows`.
    const runRowCounts = (await page.getAttribute('[data-testid="repro-detail"]', 'data-run-rows'))
      .split(',')
      .map(Number);
    assert.equal(runRowCounts.length, 2);
    assert.equal(Math.max(...runRowCounts), rows);
    assert.equal(
      Number(await page.getAttribute('[data-testid="chart-throughput"]', 'data-points')),
      runRowCounts[0] + runRowCounts[1],
    );
    const runRows = await page.locator('[data-testid^="repro-run-row-"]').allTextContents();
    assert.equal(runRows.length, 2);
    assert.match(runRows[0], /before\s*locked-write\s*mglru/);
    assert.match(runRows[1], /after\s*lockless\s*mglru/);
    await shots(page, 'r03-reproduction-done');
    // The inputs with their sources, opened and scrolled to.
    await page.click('[data-testid="repro-inputs"] summary');
    await page.locator('[data-testid="repro-inputs"] summary').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await shots(page, 'r04-reproduction-inputs');
    await page.click('[data-testid="repro-inputs"] summary');
  });

  it('a what-if on another profile: the lab column shows its results, the CLI’s --profile figure; the own-hardware result stays', async () => {
    const own = await cells(page, 'time-ratio');
    await page.selectOption('[data-testid="repro-profile"]', 'x86-workstation');
    assert.match(await page.textContent('[data-testid="repro-whatif"]'), /every run on .*x86/i);
    // Nothing has run on this hardware yet: no lab value, never the own-hardware one.
    assert.equal((await cells(page, 'time-ratio')).lab, '—');
    await page.click(`[data-testid="repro-run-${ID}"]`);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent.trim() !== '—',
      `${row('time-ratio')} [data-testid="repro-inband"]`,
      { timeout: RUN_TIMEOUT },
    );
    await page.waitForFunction(() => document.querySelector('[data-testid="repro-status"]')?.textContent === 'done');
    const whatIf = await cells(page, 'time-ratio');
    const cli = spawnSync(
      process.execPath,
      ['scripts/lab.mjs', 'reproduce', ID, '--profile', 'x86-workstation', '--json'],
      { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, LAB_NO_WORKER_BUILD: '1' } },
    );
    assert.ok(cli.stdout.trim().startsWith('['), `lab reproduce printed no JSON (exit ${cli.status}): ${cli.stderr}`);
    const [fig] = JSON.parse(cli.stdout);
    assert.equal(whatIf.lab, fig.lab.toFixed(3), `UI what-if ${whatIf.lab} vs lab reproduce --profile ${fig.lab}`);
    // Control: the two hardware profiles give different figures, so the comparison above can fail.
    assert.notEqual(whatIf.lab, own.lab);
    await shots(page, 'r05-reproduction-whatif');
    await page.selectOption('[data-testid="repro-profile"]', '');
    assert.equal(await page.locator('[data-testid="repro-whatif"]').count(), 0);
    assert.deepEqual(await cells(page, 'time-ratio'), own);
  });

  it('Run all, stopped: the runs going are dropped, the result already computed stays', async () => {
    const before = await cells(page, 'time-ratio');
    await page.click('[data-testid="repro-run-all"]');
    await page.waitForSelector('[data-testid="repro-stop"]');
    await page.click('[data-testid="repro-stop"]');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="repro-status"]')?.textContent.startsWith('stopped'),
      null,
      { timeout: 30_000 },
    );
    assert.deepEqual(await cells(page, 'time-ratio'), before);
    // The first reproduction of Run all had no result before and gets none from a stopped job.
    assert.equal(
      (
        await page.textContent('[data-testid="repro-row-repro-memcached-arm64-ops-ratio"] [data-testid="repro-lab"]')
      ).trim(),
      '—',
    );
    assert.equal(await page.locator('[data-testid="repro-error"]').count(), 0);
    assert.equal(await page.isEnabled('[data-testid="repro-run-all"]'), true);
  });
});
