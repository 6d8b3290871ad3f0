// A 1024 × 700 window (a laptop; the content pane beside the 300-px sidebar is ~720 px) shows every
// view without sideways scrolling. Before: the hardware card's cost sources quote lore.kernel.org message
// ids (~80 characters with no break), one of which set the Setup view's width to ~875 px, so the guests'
// Write fraction and Think time fields sat out of sight to the right; the Reproductions view's runs table
// (ten nowrap headers) and its inputs' sources did the same (~930 px). Control: on the build before the
// fix (HardwareCard / ReproductionsView without `overflow-wrap: anywhere` and wrapping headers) the
// setup check fails on ampere-altra (888 > 724) and the reproductions check fails (927 > 724).
/* global document -- code passed to page.evaluate runs in the page */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labInBrowser, shot } from './browser.mjs';

const RUN_TIMEOUT = 60_000;

/** The content pane's scroll width and width, and what sticks out on its right. */
async function overflow(page) {
  return page.evaluate(() => {
    const c = document.querySelector('main .content');
    const right = c.getBoundingClientRect().right;
    const out = [...c.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > right + 1);
    const set = new Set(out);
    return {
      scrollWidth: c.scrollWidth,
      clientWidth: c.clientWidth,
      culprits: out
        .filter((e) => !set.has(e.parentElement))
        .slice(0, 3)
        .map((e) => `${e.tagName} ${e.dataset.testid ?? ''} ${e.textContent.slice(0, 60)}`),
    };
  });
}

describe('narrow window (1024 × 700)', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser(async (opened) => {
    page = opened;
    await page.setViewportSize({ width: 1024, height: 700 });
  });

  it('Setup fits the pane on every hardware profile: every guest field is in sight', async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    const profiles = await page.$$eval('[data-testid="profile-select"] option', (os) => os.map((o) => o.value));
    for (const p of profiles) {
      await page.selectOption('[data-testid="profile-select"]', p);
      await page.waitForSelector(`[data-testid="hardware-card"][data-profile="${p}"]`);
      const o = await overflow(page);
      assert.ok(o.scrollWidth <= o.clientWidth, `${p}: ${o.scrollWidth} > ${o.clientWidth}: ${o.culprits.join(' | ')}`);
      // The right-most field of the first guest's workload row is inside the pane.
      const pane = await page.locator('main .content').boundingBox();
      const think = await page.locator('#g0-think').boundingBox();
      assert.ok(think.x + think.width <= pane.x + pane.width, `${p}: Think time field out of sight`);
    }
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
    await shot(page, 'narrow-01-setup');
  });

  it('Reproductions fits the pane, with a reproduction run (its runs table) and its inputs open', async () => {
    await page.click('[data-testid="tab-repro"]');
    await page.click('[data-testid="repro-run-repro-v2-baseline"]');
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-testid="repro-row-repro-v2-baseline-time-ratio"] [data-testid="repro-inband"]')
          ?.textContent.trim() !== '—',
      null,
      { timeout: RUN_TIMEOUT },
    );
    await page.waitForSelector('[data-testid="repro-runs"]');
    await page.click('[data-testid="repro-inputs"] summary');
    const o = await overflow(page);
    assert.ok(o.scrollWidth <= o.clientWidth, `${o.scrollWidth} > ${o.clientWidth}: ${o.culprits.join(' | ')}`);
    await page.locator('[data-testid="repro-runs"]').scrollIntoViewIfNeeded();
    await shot(page, 'narrow-02-repro');
  });

  it('Run, Compare and Sweep fit the pane', async () => {
    for (const tab of ['run', 'compare', 'sweep']) {
      await page.click(`[data-testid="tab-${tab}"]`);
      const o = await overflow(page);
      assert.ok(
        o.scrollWidth <= o.clientWidth,
        `${tab}: ${o.scrollWidth} > ${o.clientWidth}: ${o.culprits.join(' | ')}`,
      );
    }
  });
});
