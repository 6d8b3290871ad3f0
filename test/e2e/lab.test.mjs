// Acceptance flow of the browser edition (issue 4): each hardware profile runs the seed-debate
/* global window, document -- code passed to page.evaluate runs in the page */
// scenario with live charts and a progress bar reaching 100 %; a saved session reopens after a reload
// (and when dropped on the window) with identical summary numbers; a corrupt file shows a clear error
// and keeps the current session; CSV export; hardware preset import; trace files loaded in the workload
// editor, and the trace-oracle scenario replaying cloudPhysicsIO with exact LRU (79438 misses).
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  SHOTS,
  URL_UNDER_TEST,
  chartsSettled,
  dropFile,
  launch,
  shot,
  summaryCells,
  traceMainThread,
} from './browser.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// CI has shared/ beside the clone.
const TRACE_DIR = path.resolve(repoRoot, '../shared/data/traces');

const CHARTS = [
  'hitRate',
  'refaultRatePerSec',
  'evictionPrecision',
  'vcpuStallNs',
  'lockWaitNs',
  'agingNs',
  'rcuPagesAwaitingFree',
];
const RUN_TIMEOUT = 60_000;
/** The header of an exported CSV: every sampled column (engine/protocol.ts SAMPLE_COLUMNS), in order. */
const CSV_HEADER =
  'tMs,accesses,hitRate,refaults,refaultRatePerSec,evictions,evictionPrecision,s2Faults,afFaults,vcpuStallNs,' +
  'lockWaitNs,lockHoldNs,agingNs,ptesScanned,youngFound,cmpxchgFailures,rcuGracePeriods,rcuCallbacksPending,' +
  'rcuPagesAwaitingFree,throughput,freeFrames,residentPages';
// Digits without their grouping (engine/numberFormat.ts: '113,872'); a comma in prose stays.
const digits = (text) => text.replace(/[\s\u2009]/g, '').replace(/(\d),(?=\d{3})/g, '$1');

describe('Overcommit Lab browser edition', () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let b;
  let page;
  /** Summary of each run, by run index. */
  const summaries = [];
  let savedPath = '';

  before(async () => {
    b = await launch();
    page = b.page;
    await page.goto(URL_UNDER_TEST);
    await page.waitForSelector('[data-testid="profile-select"] option', { state: 'attached' });
  });

  after(async () => {
    if (b?.consoleErrors.length) console.log('page errors:\n' + b.consoleErrors.join('\n'));
    await b?.close();
  });

  it('is cross-origin isolated (SharedArrayBuffer available) and shows no error', async () => {
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    await shot(page, '01-setup');
  });

  it("switching profile takes the engine's resolution: vault protected only on pKVM, the profile's harvest", async () => {
    const vault = await page.$$eval('[data-testid^="guest-"] input[aria-label="Guest name"]', (inputs) =>
      inputs.findIndex((i) => i.value === 'vault'),
    );
    assert.ok(vault >= 0, 'the seed debate has a vault guest');
    const expected = { 'ampere-altra': 'lockless', 'phone-prev82': 'locked-write', pkvm: 'hypercall' };
    for (const [profile, harvest] of Object.entries(expected)) {
      await page.selectOption('[data-testid="profile-select"]', profile);
      assert.equal(await page.inputValue('[data-testid="harvest-select"]'), harvest, `harvest on ${profile}`);
      assert.equal(
        await page.isChecked(`[data-testid="g${vault}-protected"]`),
        profile === 'pkvm',
        `vault protected on ${profile}`,
      );
    }
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
  });

  it('runs the seed debate on each hardware profile with live charts and 100 % progress', async () => {
    const profiles = await page.$$eval('[data-testid="profile-select"] option', (os) => os.map((o) => o.value));
    assert.ok(profiles.length >= 3, `expected three hardware profiles, got ${profiles.join(', ')}`);
    for (const [i, profile] of profiles.slice(0, 3).entries()) {
      await page.selectOption('[data-testid="profile-select"]', profile);
      await page.evaluate(() => (window.__longTasks.length = 0));
      const trace = await traceMainThread(b.context, page);
      await page.click('[data-testid="run-button"]');
      // Live: the charts get points before the run ends.
      await page.waitForFunction(
        () => Number(document.querySelector('[data-testid="chart-hitRate"]')?.dataset.points ?? 0) > 0,
        null,
        { timeout: RUN_TIMEOUT },
      );
      await page.waitForSelector('[data-testid="progress"][aria-valuenow="100"]', { timeout: RUN_TIMEOUT });
      await page.waitForFunction(
        () => document.querySelector('[data-testid="run-state"]')?.textContent?.startsWith('done'),
        null,
        { timeout: RUN_TIMEOUT },
      );
      await page.waitForSelector('[data-testid="summary-hitRate-0"]');
      const banner = page.locator('[data-testid="error-banner"]');
      assert.equal(await banner.count(), 0, (await banner.count()) ? await banner.textContent() : '');
      // At the end of the run every chart shows every row and has at least one finite point (eviction
      // precision is NaN, drawn as a gap, until the first refault window closes).
      await chartsSettled(page, 'run-view');
      for (const c of CHARTS) {
        const points = Number(await page.getAttribute(`[data-testid="chart-${c}"]`, 'data-points'));
        if (c === 'evictionPrecision' && points === 0) {
          // No eviction's refault window closed within the run: the first eviction came in the last 500 ms
          // of the 1.5 s. On pkvm, hypercall aging checks every mapped-young page once, with a flush per young
          // one, before it evicts (docs/profile-pkvm.md: first eviction 864 ms deterministic, seed 1; 1.0 s
          // before session 13). Then the chart's gap and the summary's empty cell must agree, and the host
          // must still have evicted (the run was under reclaim).
          const cells = await summaryCells(page, 0);
          assert.equal(cells['summary-evictionPrecision-0'], '—', `${profile}: precision chart empty, summary not`);
          assert.notEqual(cells['summary-evictions-0'], '0', `${profile}: no eviction at all`);
          continue;
        }
        assert.ok(points > 0, `chart ${c} has no finite point at the end of the ${profile} run`);
      }
      // The canvas really has ink on it (not just data).
      const inked = await page.$eval('[data-testid="chart-hitRate"]', (cv) => {
        const ctx = cv.getContext('2d');
        const { data } = ctx.getImageData(0, 0, cv.width, cv.height);
        let n = 0;
        for (let k = 3; k < data.length; k += 4) if (data[k] > 0) n++;
        return n;
      });
      assert.ok(inked > 500, `hit-rate canvas looks blank (${inked} painted pixels)`);
      const cells = await summaryCells(page, 0);
      assert.match(cells['summary-hitRate-0'], /^\d+\.\d\d%$/);
      assert.notEqual(cells['summary-accesses-0'], '0');
      summaries[i] = cells;
      // Responsiveness: no task over 100 ms on the renderer thread during the run. The observer's long
      // tasks are wall time; a task over 100 ms fails unless the trace shows the thread's CPU time for
      // every task stayed within 100 ms (then the excess was the OS running other processes).
      const cpu = await trace.stop();
      const longTasks = await page.evaluate(() => window.__longTasks);
      const worst = Math.max(0, ...longTasks.map((t) => t.duration));
      console.log(
        `# ${profile}: hit rate ${cells['summary-hitRate-0']}, lock wait ${cells['summary-lockWait-0']}; ` +
          `long tasks (wall) ${longTasks.length}, worst ${worst.toFixed(0)} ms; main-thread tasks ${cpu.tasks}, worst CPU ${cpu.maxCpuMs.toFixed(1)} ms`,
      );
      assert.ok(cpu.tasks > 0, 'the trace recorded no main-thread tasks');
      assert.ok(
        worst <= 100 || cpu.maxCpuMs <= 100,
        `long task of ${worst.toFixed(0)} ms (CPU ${cpu.maxCpuMs.toFixed(0)} ms) during the ${profile} run`,
      );
      await shot(page, `02-run-${profile}`);
    }
    // The three profiles give different results (the point of the lab).
    assert.ok(
      new Set(summaries.map((s) => JSON.stringify(s))).size === summaries.length,
      'profiles produced identical summaries',
    );
  });

  it('compares the runs side by side', async () => {
    for (const i of [0, 1, 2]) await page.check(`[data-testid="compare-toggle-${i}"]`);
    await page.click('[data-testid="tab-compare"]');
    await page.waitForSelector('[data-testid="summary-hitRate-2"]');
    for (const i of [0, 1, 2])
      assert.equal((await summaryCells(page, i))[`summary-hitRate-${i}`], summaries[i]['summary-hitRate-0']);
    await chartsSettled(page, 'compare-view');
    assert.equal(await page.locator('[data-testid="compare-view"] canvas[data-mounted="true"]').count(), CHARTS.length);
    await shot(page, '03-compare');
    await page.click('[data-testid="run-item-1"]');
    await page.waitForSelector('[data-testid="run-view"]');
  });

  it('exports the selected run as CSV: a header row and one row per sample', async () => {
    await chartsSettled(page, 'run-view');
    const rows = Number(await page.getAttribute('[data-testid="run-view"]', 'data-rows'));
    assert.ok(rows > 0);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('[data-testid="export-csv-button"]'),
    ]);
    assert.match(download.suggestedFilename(), /run2\.csv$/);
    const file = path.join(SHOTS, 'export.csv');
    await download.saveAs(file);
    // A header block of '#' lines (the run's config), then run,label + every sampled column, one row per sample.
    const all = readFileSync(file, 'utf8').trimEnd().split('\n');
    const h = all.findIndex((l) => l.startsWith('run,label,'));
    assert.ok(h > 0 && all.slice(0, h).every((l) => l.startsWith('#')), 'a header block precedes the table');
    assert.equal(all[h], 'run,label,' + CSV_HEADER);
    const lines = all.slice(h);
    assert.equal(lines.length, 1 + rows, 'one row per sample');
    const cols = CSV_HEADER.split(',').length;
    // The label is quoted when it holds a comma: count the sampled fields from the end.
    for (const line of lines.slice(1)) assert.ok(line.split(',').length >= cols + 2);
    assert.doesNotMatch(all.join('\n'), /NaN/);
    // Rows are samples in virtual-time order.
    const t = lines.slice(1).map((l) => Number(l.split(',').at(-cols)));
    assert.ok(
      t.every((x, i) => i === 0 || x > t[i - 1]),
      'tMs increases row by row',
    );
    assert.match(await page.textContent('[data-testid="notice"]'), /Exported .*run2\.csv/);
  });

  it('saves the session as a download', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="save-button"]')]);
    savedPath = path.join(SHOTS, 'session.msgpack');
    await download.saveAs(savedPath);
    assert.match(download.suggestedFilename(), /\.msgpack$/);
  });

  it('reopens the saved session after a reload with identical numbers and the same screen', async () => {
    const before = await summaryCells(page, 0);
    await page.reload();
    await page.waitForSelector('[data-testid="profile-select"] option', { state: 'attached' });
    assert.equal(await page.locator('[data-testid="summary-hitRate-0"]').count(), 0);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid="open-button"]')]);
    await chooser.setFiles(savedPath);
    await page.waitForSelector('[data-testid="summary-hitRate-0"]');
    assert.deepEqual(await summaryCells(page, 0), before);
    assert.deepEqual(await summaryCells(page, 0), summaries[1]);
    assert.equal(await page.locator('[data-testid="run-view"]').count(), 1, 'reopened on the run screen');
    assert.equal(await page.getAttribute('[data-testid="tab-run"]', 'aria-selected'), 'true');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="chart-hitRate"]')?.dataset.points ?? 0) > 0,
    );
    await page.click('[data-testid="tab-compare"]');
    for (const i of [0, 1, 2]) assert.deepEqual(await summaryCells(page, i), renumber(summaries[i], i));
    await page.click('[data-testid="tab-run"]');
    assert.equal(await page.inputValue('[data-testid="scenario-select"]'), 'seed-debate');
    await chartsSettled(page, 'run-view');
    await shot(page, '04-reopened');
    await page.locator('[data-testid="summary-table"]').scrollIntoViewIfNeeded();
    await shot(page, '04b-reopened-summary');
  });

  it('a corrupt file shows a clear error and keeps the current session', async () => {
    const before = await summaryCells(page, 0);
    const corrupt = path.join(SHOTS, 'corrupt.msgpack');
    writeFileSync(corrupt, Buffer.from([0x85, 0xa6, 0x66, 0x6f, 0x72, 0x6d, 0x61, 0x74, 0xc1, 0xde, 0xad, 0xbe, 0xef]));
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid="open-button"]')]);
    await chooser.setFiles(corrupt);
    const banner = page.locator('[data-testid="error-banner"]');
    await banner.waitFor();
    const text = await banner.textContent();
    assert.match(text, /corrupt\.msgpack/);
    assert.match(text, /corrupt|truncated|not an Overcommit Lab session/i);
    assert.deepEqual(await summaryCells(page, 0), before);
    await shot(page, '05-corrupt-error');
  });

  it('a session file dropped on the window reopens it', async () => {
    await page.click('[data-testid="error-dismiss"]');
    await page.click('[data-testid="new-button"]');
    assert.equal(await page.locator('[data-testid="run-item-0"]').count(), 0, 'New cleared the runs');
    await dropFile(page, '.app', 'dropped.msgpack', readFileSync(savedPath));
    await page.waitForSelector('[data-testid="summary-hitRate-0"]');
    assert.deepEqual(await summaryCells(page, 0), summaries[1]);
    assert.equal(await page.textContent('[data-testid="session-name"]'), 'dropped.msgpack');
    assert.equal(await page.locator('[data-testid="run-item-2"]').count(), 1);
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    // The drop overlay is gone.
    assert.equal(await page.locator('.drop').count(), 0);
  });

  it('"run seed debate on its profiles" runs each profile and opens the comparison', async () => {
    await page.click('[data-testid="run-all-profiles"]');
    await page.waitForSelector('[data-testid="compare-view"] [data-testid="summary-hitRate-2"]', {
      timeout: 3 * RUN_TIMEOUT,
    });
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    const heads = await page.$$eval('[data-testid^="summary-head-"]', (els) => els.map((e) => e.textContent.trim()));
    assert.equal(heads.length, 3);
    assert.match(heads.join('\n'), /#4 .*\n#5 .*\n#6 /s);
    await chartsSettled(page, 'compare-view');
    await shot(page, '06-run-all-profiles');
  });

  it('imports a hardware preset file; an invalid one shows the error naming the bad key', async () => {
    const preset = JSON.parse(readFileSync(path.join(repoRoot, 'presets/hardware/ampere-altra.json'), 'utf8'));
    const good = path.join(SHOTS, 'e2e-altra.json');
    writeFileSync(good, JSON.stringify({ ...preset, id: 'e2e-altra', name: 'E2E Altra (imported)' }));
    const bad = path.join(SHOTS, 'e2e-typo.json');
    const { walkLevel, ...costs } = preset.costs;
    writeFileSync(bad, JSON.stringify({ ...preset, id: 'e2e-typo', costs: { ...costs, walkLevl: walkLevel } }));

    const pick = async (file) => {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.click('[data-testid="import-hardware"]'),
      ]);
      await chooser.setFiles(file);
    };
    await pick(good);
    await page.waitForSelector('[data-testid="profile-select"] option[value="e2e-altra"]', { state: 'attached' });
    assert.equal(await page.inputValue('[data-testid="profile-select"]'), 'e2e-altra');
    assert.match(
      await page.textContent('[data-testid="notice"]'),
      /Imported hardware profile “E2E Altra \(imported\)”/,
    );
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);

    await pick(bad);
    const banner = page.locator('[data-testid="error-banner"]');
    await banner.waitFor();
    const text = await banner.textContent();
    assert.match(text, /e2e-typo\.json/);
    assert.match(text, /walkLevl/);
    assert.equal(await page.locator('[data-testid="profile-select"] option[value="e2e-typo"]').count(), 0);
    await shot(page, '07-import-hardware-error');
    await page.click('[data-testid="error-dismiss"]');
  });

  it('loads trace files in the workload editor: counts for a good one, the problem for a malformed one', async () => {
    await page.click('[data-testid="tab-setup"]');
    await page.selectOption('[data-testid="scenario-select"]', 'trace-oracle');
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
    const status = page.locator('[data-testid="g0-trace-status"]');
    assert.match(await status.textContent(), /“cloudPhysicsIO” is not loaded/);

    // Running before the trace is loaded: a clear error, no run.
    await page.click('[data-testid="run-button"]');
    const banner = page.locator('[data-testid="error-banner"]');
    await banner.waitFor();
    assert.match(await banner.textContent(), /trace 'cloudPhysicsIO', which is not loaded/);
    await page.click('[data-testid="error-dismiss"]');

    const pick = async (file) => {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.click('[data-testid="g0-trace-load"]'),
      ]);
      await chooser.setFiles(file);
    };
    const malformed = path.join(SHOTS, 'malformed.txt');
    writeFileSync(malformed, '17\n42\n4x2\n');
    await pick(malformed);
    await page.waitForSelector('[data-testid="g0-trace-status"][role="alert"]');
    assert.equal(await status.textContent(), 'malformed.txt: line 3: object id "4x2" is not a non-negative integer');
    await shot(page, '08-trace-malformed');

    const small = path.join(SHOTS, 'tiny.txt');
    writeFileSync(small, '5\n6\n5\n7\n5\n');
    await pick(small);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="g0-trace-status"]')?.textContent?.includes('“tiny” loaded'),
    );
    assert.match(digits(await status.textContent()), /5requests,3distinctpages/);
    assert.equal(await page.inputValue('[data-testid="g0-trace-name"]'), 'tiny');
  });

  it('the trace-oracle scenario replays cloudPhysicsIO (dropped on the editor) with exact LRU: 79438 misses', async () => {
    const text = readFileSync(path.join(TRACE_DIR, 'cloudPhysicsIO.txt'));
    await dropFile(page, '[data-testid="g0-trace-drop"]', 'cloudPhysicsIO.txt', text);
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="g0-trace-status"]')?.textContent?.includes('“cloudPhysicsIO” loaded'),
    );
    const status = await page.textContent('[data-testid="g0-trace-status"]');
    assert.match(digits(status), /113872requests,48974distinctpages/);
    assert.equal(await page.inputValue('[data-testid="g0-trace-name"]'), 'cloudPhysicsIO');
    // The drop was a trace, not a session: no session error, no overlay.
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    assert.equal(await page.locator('.drop').count(), 0);
    await shot(page, '09-trace-loaded');

    const runsBefore = await page.locator('[data-testid^="run-item-"]').count();
    await page.click('[data-testid="run-button"]');
    await page.waitForSelector(`[data-testid="run-item-${runsBefore}"]`, { timeout: RUN_TIMEOUT });
    await page.waitForSelector('[data-testid="summary-misses-0"]');
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    const cells = await summaryCells(page, 0);
    assert.equal(digits(cells['summary-misses-0']), '79438', 'exact LRU on 10000 pages misses 79438 times');
    assert.equal(digits(cells['summary-accesses-0']), '113872');
    // The replay ends with the trace (about 1.7 virtual s of the 5 s configured): the x axis ends there too.
    // A duration is scaled (engine/numberFormat.ts): '1.731 s' or '731.20 ms'.
    const [, value, unit] = /^([\d.,]+) (s|ms)$/.exec(cells['summary-virtualMs-0']) ?? [];
    const virtualMs = Number(digits(value ?? '')) * (unit === 's' ? 1000 : 1);
    assert.ok(virtualMs > 0 && virtualMs < 5000, `virtual time ${cells['summary-virtualMs-0']}`);
    await chartsSettled(page, 'run-view');
    await shot(page, '10-trace-oracle-run');
    await page.locator('[data-testid="summary-table"]').scrollIntoViewIfNeeded();
    await shot(page, '10b-trace-oracle-summary');
  });
});

/** Summary cells of column 0 renamed to column i. */
function renumber(cells, i) {
  return Object.fromEntries(Object.entries(cells).map(([k, v]) => [k.replace(/-0$/, `-${i}`), v]));
}
