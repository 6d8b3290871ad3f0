// Issue 10, "the lab explains itself", in the browser edition: run identity (two runs differing only in host
/* global window, document, getComputedStyle, requestAnimationFrame -- code passed to page.evaluate runs in the page */
// memory, both labels name it), compare deltas against a baseline, per-guest rows and charts, the live
// stage-2 heat map of a 4-guest run (no long task; reopened from the saved file), exports (PNG, SVG, CSV
// of the screen), no lost work (modified marker, confirm on New, beforeunload on reload, undo/redo),
// hardware what-ifs (edit a cost in place, export the profile, disabled options with reasons, stale
// banner cleared), explanations and units, "stopped" after Stop, dark mode, the `?` shortcut sheet.
// Screenshots in light and dark: test-results/e2e/x*.png.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SHOTS, URL_UNDER_TEST, chartsSettled, launch, reloadAsked, shot, traceMainThread } from './browser.mjs';

const RUN_TIMEOUT = 90_000;
// Digits without their grouping (engine/numberFormat.ts: '113,872'); a comma in prose stays.
const digits = (text) => text.replace(/[\s\u2009]/g, '').replace(/(\d),(?=\d{3})/g, '$1');

/** Screenshots of the current screen in light and in dark (the system setting, emulated). */
async function shots(page, name) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await shot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

async function waitDone(page, status = 'done') {
  await page.waitForFunction((s) => document.querySelector('[data-testid="run-state"]')?.textContent === s, status, {
    timeout: RUN_TIMEOUT,
  });
}

async function download(page, click) {
  const [d] = await Promise.all([page.waitForEvent('download'), click()]);
  const file = path.join(SHOTS, `x-${d.suggestedFilename()}`);
  await d.saveAs(file);
  return { file, name: d.suggestedFilename() };
}

describe('the lab explains itself (issue 10)', () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let b;
  let page;
  let savedPath = '';
  const heatColumns = [];

  before(async () => {
    b = await launch();
    page = b.page;
    await page.emulateMedia({ colorScheme: 'light' });
    await page.goto(URL_UNDER_TEST);
    await page.waitForSelector('[data-testid="profile-select"] option', { state: 'attached' });
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
  });

  after(async () => {
    if (b?.consoleErrors.length) console.log('page errors:\n' + b.consoleErrors.join('\n'));
    await b?.close();
  });

  it('two runs differing only in host memory are labelled by it; the 4-guest heat map updates live without a long task', async () => {
    assert.equal(await page.locator('[data-testid="modified"]').count(), 0, 'a fresh session is not modified');
    await page.fill('[data-testid="host-memory"]', '896');
    assert.equal(await page.locator('[data-testid="modified"]').count(), 1, 'an edit marks the session modified');
    await page.click('[data-testid="run-button"]');
    await waitDone(page);

    await page.click('[data-testid="tab-setup"]');
    await page.fill('[data-testid="host-memory"]', '768');
    await page.evaluate(() => (window.__longTasks.length = 0));
    const trace = await traceMainThread(b.context, page);
    await page.click('[data-testid="run-button"]');
    // Live: heat-map columns arrive while the run is still running, for every guest.
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="run-state"]')?.textContent === 'running' &&
        [0, 1, 2, 3].every(
          (i) => Number(document.querySelector(`[data-testid="heat-${i}"]`)?.dataset.columns ?? 0) > 2,
        ),
      null,
      { timeout: RUN_TIMEOUT },
    );
    const liveColumns = Number(await page.getAttribute('[data-testid="heat-0"]', 'data-columns'));
    await page.locator('[data-testid="heatmap"]').scrollIntoViewIfNeeded();
    await shot(page, 'x01-heatmap-live');
    await waitDone(page);
    const cpu = await trace.stop();
    const longTasks = await page.evaluate(() => window.__longTasks);
    const worst = Math.max(0, ...longTasks.map((t) => t.duration));
    console.log(
      `# heat-map run (4 guests): long tasks (wall) ${longTasks.length}, worst ${worst.toFixed(0)} ms; ` +
        `main-thread tasks ${cpu.tasks}, worst CPU ${cpu.maxCpuMs.toFixed(1)} ms; live columns seen ${liveColumns}`,
    );
    assert.ok(cpu.tasks > 0);
    assert.ok(
      worst <= 100 || cpu.maxCpuMs <= 100,
      `long task of ${worst.toFixed(0)} ms (CPU ${cpu.maxCpuMs.toFixed(0)} ms) during the heat-map run`,
    );

    // Both labels name the host memory, in the run list and in the run title.
    assert.equal(await page.textContent('[data-testid="run-identity-0"]'), 'host 896 MiB');
    assert.equal(await page.textContent('[data-testid="run-identity-1"]'), 'host 768 MiB');
    assert.match(await page.textContent('[data-testid="run-title"]'), /#2 .* · host 768 MiB/);
    assert.match(await page.textContent('[data-testid="summary-identity-0"]'), /host 768 MiB/);

    // The finished heat map has every column and real ink (not a black canvas).
    await page.locator('[data-testid="heatmap"]').scrollIntoViewIfNeeded();
    for (const i of [0, 1, 2, 3]) {
      const cols = Number(await page.getAttribute(`[data-testid="heat-${i}"]`, 'data-columns'));
      assert.ok(cols >= liveColumns && cols >= 20, `guest ${i}: ${cols} columns`);
      heatColumns[i] = cols;
    }
    const lit = await page.$eval('[data-testid="heat-1"]', (cv) => {
      const { data } = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height);
      let n = 0;
      for (let k = 0; k < data.length; k += 4) if (data[k] + data[k + 1] + data[k + 2] > 60) n++;
      return n;
    });
    assert.ok(lit > 1000, `heat map of batch looks empty (${lit} lit pixels)`);
    // Pointing at a cell reads out its figures, with units.
    const box = await page.locator('[data-testid="heat-1"]').boundingBox();
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.9);
    assert.match(
      await page.textContent('[data-testid="heat-readout-1"]'),
      /^batch · \d\.\d{3} virtual s · gfn \d+–\d+: resident \d+%, young \d+%, evicted \d+%, refaulted \d+%/,
    );
    await shots(page, 'x02-heatmap-done');
    await page.selectOption('[data-testid="heat-mode"]', 'age');
    await shot(page, 'x03-heatmap-age');
    await page.selectOption('[data-testid="heat-mode"]', 'state');
  });

  it('compares the two runs with deltas and ratios against a chosen baseline', async () => {
    await page.check('[data-testid="compare-toggle-0"]');
    await page.check('[data-testid="compare-toggle-1"]');
    await page.click('[data-testid="tab-compare"]');
    await page.waitForSelector('[data-testid="summary-hitRate-1"]');
    assert.match(await page.textContent('[data-testid="summary-identity-0"]'), /host 896 MiB/);
    assert.match(await page.textContent('[data-testid="summary-identity-1"]'), /host 768 MiB/);
    assert.equal(await page.locator('[data-testid^="summary-delta-"]').count(), 0, 'no baseline, no deltas');
    await page.selectOption('[data-testid="baseline-select"]', '0');
    const delta = await page.textContent('[data-testid="summary-delta-hitRate-1"]');
    assert.match(delta, /^[+-]\d+\.\d\d pp · \d+\.\d\d×$/);
    assert.equal(await page.textContent('[data-testid="summary-delta-hitRate-0"]'), '');
    assert.match(await page.textContent('[data-testid="summary-head-0"]'), /baseline/);
    await chartsSettled(page, 'compare-view');
    await shots(page, 'x04-compare-baseline');
    await page.locator('[data-testid="summary-table"]').scrollIntoViewIfNeeded();
    await shots(page, 'x05-compare-deltas');
  });

  it('exports the screen as CSV (both runs, config header, no NaN) and a chart as PNG and SVG', async () => {
    await page.locator('[data-testid="chart-card-hitRate"]').scrollIntoViewIfNeeded();
    const csv = await download(page, () => page.click('[data-testid="export-csv-button"]'));
    assert.match(csv.name, /compare-1-2\.csv$/);
    const text = readFileSync(csv.file, 'utf8');
    const lines = text.trimEnd().split('\n');
    const h = lines.findIndex((l) => l.startsWith('run,label,'));
    const head = lines.slice(0, h).join('\n');
    assert.match(head, /# run 1: #1 .* · host 896 MiB/);
    assert.match(head, /# run 2: #2 .* · host 768 MiB/);
    assert.match(head, /host=768 MiB, watermarks 1%\/2%\/3%/);
    assert.match(head, /guests=web 512 MiB 2 vCPU zipf/);
    assert.doesNotMatch(text, /NaN/);
    const runs = new Set(lines.slice(h + 1).map((l) => l.split(',')[0]));
    assert.deepEqual([...runs], ['1', '2']);
    // Eviction precision is NaN before the first refault window closes: an empty cell.
    assert.match(lines[h + 1], /,,/);

    const png = await download(page, () => page.click('[data-testid="png-hitRate"]'));
    assert.match(png.name, /chart-hitRate\.png$/);
    assert.deepEqual([...readFileSync(png.file).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const svg = await download(page, () => page.click('[data-testid="svg-hitRate"]'));
    const svgText = readFileSync(svg.file, 'utf8');
    assert.match(svgText, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svgText, /<image|data:image/, 'vector, not a raster in a wrapper');
    assert.equal((svgText.match(/<path /g) ?? []).length, 2, 'one line per compared run');
    assert.match(svgText, /host 768 MiB/);
    assert.match(svgText, /hit rate \(%\)/);
    assert.match(await page.textContent('[data-testid="notice"]'), /Exported .*chart-hitRate\.svg/);
  });

  it('per-guest rows and charts, switchable with the host view', async () => {
    await page.click('[data-testid="run-item-1"]');
    await page.click('[data-testid="scope-guests"]');
    await page.waitForSelector('[data-testid="guest-table"]');
    const heads = await page.$$eval('[data-testid^="guest-head-"]', (els) => els.map((e) => e.textContent.trim()));
    assert.deepEqual(heads, ['host', 'web', 'batch', 'cache', 'vault']);
    assert.match(await page.textContent('[data-testid="guest-hitRate-1"]'), /^\d+\.\d\d%$/);
    assert.match(await page.textContent('[data-testid="guest-slowdown-1"]'), /^\d+\.\d\d×$/);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="guest-chart-slowdown"]')?.dataset.bars === '4',
    );
    await shots(page, 'x06-per-guest');
    await page.click('[data-testid="scope-host"]');
    await page.waitForSelector('[data-testid="chart-hitRate"]');
  });

  it('explains each metric on demand, with units and plain names; no "…" captions', async () => {
    await page.click('[data-testid="explain-hitRate"]');
    assert.match(await page.textContent('[data-testid="explanation-hitRate"]'), /stage-2 faults/);
    assert.match(
      await page.textContent('[data-testid="chart-card-refaultRatePerSec"] strong'),
      /refaults \/ virtual s/,
    );
    await page.locator('[data-testid="summary-table"]').scrollIntoViewIfNeeded();
    await page.click('[data-testid="summary-explain-refaultPct"]');
    assert.match(
      await page.textContent('[data-testid="summary-explain-refaultPct"]'),
      /Refaults per minute, % of working set/,
    );
    assert.match(await page.textContent('[data-testid="summary-explanation-refaultPct"]'), /promotion rate/);
    // Nothing on screen is cut with an ellipsis.
    const cut = await page.evaluate(
      () =>
        [...document.querySelectorAll('figcaption *, .state, .notice, .session')].filter(
          (e) => getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth,
        ).length,
    );
    assert.equal(cut, 0);
    await shots(page, 'x07-explanations');
  });

  it('says "stopped" after Stop', async () => {
    await page.click('[data-testid="run-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="run-state"]')?.textContent === 'running');
    await page.click('[data-testid="stop-button"]');
    await waitDone(page, 'stopped');
    assert.match(await page.textContent('[data-testid="progress-text"]'), /stopped/);
    assert.match(await page.textContent('[data-testid="run-title"]'), /#3/);
    // Three runs now; keep two for the saved file.
    await page.click('[aria-label="Remove run 3"]');
  });

  it('saves the session and redraws the heat map when it is reopened after a reload', async () => {
    const saved = await download(page, () => page.click('[data-testid="save-button"]'));
    savedPath = saved.file;
    assert.equal(await page.locator('[data-testid="modified"]').count(), 0, 'saved: not modified');
    await page.reload();
    await page.waitForSelector('[data-testid="profile-select"] option', { state: 'attached' });
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid="open-button"]')]);
    await chooser.setFiles(savedPath);
    await page.waitForSelector('[data-testid="run-identity-1"]');
    assert.equal(await page.textContent('[data-testid="run-identity-1"]'), 'host 768 MiB');
    await page.click('[data-testid="run-item-1"]');
    await page.locator('[data-testid="heatmap"]').scrollIntoViewIfNeeded();
    for (const i of [0, 1, 2, 3])
      await page.waitForFunction(
        ({ i, n }) => document.querySelector(`[data-testid="heat-${i}"]`)?.dataset.columns === String(n),
        { i, n: heatColumns[i] },
      );
    await shots(page, 'x08-heatmap-reopened');
  });

  it('no lost work: confirm on New, beforeunload on reload, undo / redo of setup edits', async () => {
    await page.click('[data-testid="tab-setup"]');
    assert.equal(await page.locator('[data-testid="modified"]').count(), 0, 'just opened: not modified');
    // Removing a run is a change to the saved runs.
    await page.click('[aria-label="Remove run 2"]');
    assert.equal(await page.locator('[data-testid="modified"]').count(), 1);
    await page.fill('[data-testid="host-memory"]', '1000');
    // New asks; Cancel keeps every run.
    await page.click('[data-testid="new-button"]');
    await page.waitForSelector('[data-testid="confirm-dialog"]');
    assert.match(await page.textContent('[data-testid="confirm-dialog"]'), /unsaved changes: 1 run and setup edits/);
    await shots(page, 'x09-confirm-new');
    await page.click('[data-testid="confirm-no"]');
    assert.equal(await page.locator('[data-testid="run-item-0"]').count(), 1);
    // Reload asks (beforeunload); dismissing keeps the page and its runs.
    assert.equal(await reloadAsked(page), 1, 'reload with unsaved runs asks first');
    assert.equal(await page.locator('[data-testid="run-item-0"]').count(), 1, 'the runs survived');

    // Undo / redo of setup edits.
    await page.click('[data-testid="tab-setup"]');
    await page.fill('[data-testid="host-memory"]', '640');
    await page.click('[data-testid="tab-setup"]'); // focus out of the field
    await page.waitForTimeout(700);
    await page.keyboard.press('Control+z');
    assert.equal(await page.inputValue('[data-testid="host-memory"]'), '1000');
    await page.keyboard.press('Control+Shift+Z');
    assert.equal(await page.inputValue('[data-testid="host-memory"]'), '640');
    // Removing a guest can be undone.
    await page.waitForTimeout(700);
    await page.click('[data-testid="g3-remove"]');
    assert.equal(await page.locator('[data-testid="guest-3"]').count(), 0);
    await page.click('[data-testid="undo-button"]');
    assert.equal(await page.locator('[data-testid="guest-3"]').count(), 1);

    // New, confirmed: the runs go.
    await page.click('[data-testid="new-button"]');
    await page.click('[data-testid="confirm-yes"]');
    assert.equal(await page.locator('[data-testid="run-item-0"]').count(), 0);
  });

  it('hardware what-ifs: visible profile switch, disabled options with reasons, cost edited in place, profile exported', async () => {
    await page.click('[data-testid="tab-setup"]');
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    await page.selectOption('[data-testid="profile-select"]', 'pkvm');
    assert.equal(await page.getAttribute('[data-testid="hardware-card"]', 'data-profile'), 'pkvm');
    assert.match(await page.textContent('[data-testid="harvest-profile"]'), /hypercall/);
    assert.match(await page.getAttribute('[data-testid="scenario-select"]', 'title'), /on Android protected KVM/);
    assert.equal(await page.isEnabled('[data-testid="g3-protected"]'), true);
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
    assert.equal(await page.getAttribute('[data-testid="hardware-card"]', 'data-profile'), 'ampere-altra');
    assert.match(await page.getAttribute('[data-testid="scenario-select"]', 'title'), /on Ampere Altra/);
    assert.equal(await page.isEnabled('[data-testid="g0-protected"]'), false);
    assert.match(await page.textContent('[data-testid="g0-protected-reason"]'), /only on pKVM profiles/);
    assert.equal(await page.isDisabled('[data-testid="harvest-select"] option[value="hypercall"]'), true);
    assert.match(await page.textContent('[data-testid="harvest-select"] option[value="hypercall"]'), /only under pKVM/);
    assert.equal(await page.isEnabled('[data-testid="allow-lockless"]'), false);
    assert.match(await page.textContent('[data-testid="allow-lockless-reason"]'), /this profile has FEAT_HAFDBS/);

    const source = await page.textContent('[data-testid="cost-swapIn"] >> xpath=../../td[3]');
    await page.fill('[data-testid="cost-swapIn"]', '12345');
    await page.waitForSelector('[data-testid="cost-edited-swapIn"]');
    assert.match(await page.textContent('[data-testid="cost-edited-swapIn"]'), /edited · was/);
    assert.equal(await page.textContent('[data-testid="cost-swapIn"] >> xpath=../../td[3]'), source, 'source kept');
    await page.locator('[data-testid="hardware-card"]').scrollIntoViewIfNeeded();
    await shots(page, 'x10-hardware-edited');
    const preset = await download(page, () => page.click('[data-testid="export-hardware"]'));
    const p = JSON.parse(readFileSync(preset.file, 'utf8'));
    assert.equal(p.id, 'ampere-altra-edited');
    assert.equal(p.costs.swapIn.ns, 12345);
    assert.match(p.costs.swapIn.source, /was \d+ ns/);

    // A bad import shows an error; the good one (the exported profile) clears it.
    const bad = path.join(SHOTS, 'x-bad-preset.json');
    writeFileSync(bad, JSON.stringify({ ...p, id: 'x', costs: { ...p.costs, walkLevl: 1 } }));
    const pick = async (file) => {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        page.click('[data-testid="import-hardware"]'),
      ]);
      await chooser.setFiles(file);
    };
    await pick(bad);
    await page.waitForSelector('[data-testid="error-banner"]');
    await pick(preset.file);
    await page.waitForSelector('[data-testid="profile-select"] option[value="ampere-altra-edited"]', {
      state: 'attached',
    });
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0, 'the stale error is gone');
    assert.equal(digits(await page.inputValue('[data-testid="cost-swapIn"]')), '12345');
  });

  it("the trace scenario's title follows its capacity", async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'trace-oracle');
    assert.match(await page.textContent('[data-testid="scenario-select"] option:checked'), /10000 pages/);
    await page.fill('[data-testid="host-memory"]', '80');
    assert.match(await page.textContent('[data-testid="scenario-select"] option:checked'), /20480 pages$/);
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
  });

  it('follows the system colour scheme, and shows the keyboard shortcuts on ?', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    const bg = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--bg').trim());
    assert.equal(bg, '#0f1419');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.click('[data-testid="tab-setup"]');
    await page.keyboard.press('?');
    await page.waitForSelector('[data-testid="shortcut-sheet"]');
    assert.match(await page.textContent('[data-testid="shortcut-sheet"]'), /Undo a setup edit/);
    await shots(page, 'x11-shortcuts');
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('[data-testid="shortcut-sheet"]').count(), 0);
    await shots(page, 'x12-setup');
  });
});
