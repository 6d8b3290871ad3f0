/* global document -- code passed to page.evaluate runs in the page */
// Chart legends in the Compare view fit the chart: chart.js draws an entry on one line and clips what
// overflows, so a run with several edited settings (a long label) lost both ends of its name in every
// chart's legend. Entries are now shortened in the middle ('#2 … seed 12345'). Control: without the
// legend's generateLabels (renderer/src/lib/chart.svelte.ts) the entry is the full label, wider than
// the canvas, and the width and '…' checks fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartsSettled, labInBrowser, shot } from './browser.mjs';

describe('compare legends', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  const runDone = () =>
    page.waitForFunction(
      () =>
        document.querySelector('[data-testid="run-state"]')?.textContent?.startsWith('done') ||
        document.querySelector('[data-testid="error-banner"]'),
      null,
      { timeout: 120_000 },
    );
  labInBrowser((opened) => (page = opened));

  it("a long run label is shortened in the middle to the chart's width", async () => {
    await page.fill('[data-testid="duration"]', '100');
    await page.click('[data-testid="run-button"]');
    await runDone();
    await page.click('[data-testid="tab-setup"]');
    for (const [id, v] of [
      ['cost-memAccess', '123'],
      ['cost-walkLevel', '17'],
      ['cost-swapIn', '99999'],
      ['host-memory', '1111'],
      ['seed', '12345'],
    ])
      await page.fill(`[data-testid="${id}"]`, v);
    await page.click('[data-testid="run-button"]');
    await runDone();
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    const full =
      (await page.textContent('[data-testid="run-item-1"] .name')) +
      ' · ' +
      (await page.textContent('[data-testid="run-identity-1"]'));
    for (const i of [0, 1]) await page.check(`[data-testid="compare-toggle-${i}"]`);
    await page.click('[data-testid="tab-compare"]');
    await chartsSettled(page, 'compare-view');
    const { legend, width, textWidths } = await page.$eval('[data-testid="chart-hitRate"]', (cv) => {
      const legend = JSON.parse(cv.dataset.legend ?? '[]');
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `10px 'Helvetica Neue', 'Helvetica', 'Arial', sans-serif`;
      return { legend, width: cv.clientWidth, textWidths: legend.map((t) => ctx.measureText(t).width) };
    });
    await shot(page, 'compare-legend');
    assert.equal(legend.length, 2, `legend entries: ${JSON.stringify(legend)}`);
    assert.ok(full.length > 100, `the second run's label is long: ${full}`);
    assert.match(legend[1], /^#2 .*….*seed 12345$/);
    for (const w of textWidths)
      assert.ok(w + 20 <= width, `a legend entry ${w.toFixed(0)} px wide on a ${width} px chart`);
  });
});
