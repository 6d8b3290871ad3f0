// What a new user meets in the Sweep view's builder. (1) It starts on the scenario picked in the sidebar;
// it used to start on the catalog's first entry (repro-max-guest-memory-v2) whatever the sidebar showed.
// Control: with the old default (lab.scenarios[0]) the first case fails. (2) The seeds field is a list
// of seed values, not a count: typing 2 (meaning "two seeds") ran one run per point with seed 2, and
// nothing said so. A live hint beside the field now states what will run. Control: without the hint
// (SweepView.svelte before this change) the element is missing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labInBrowser, shot } from './browser.mjs';

describe('sweep builder', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((opened) => (page = opened));

  it('starts on the scenario picked in the sidebar', async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    await page.click('[data-testid="tab-sweep"]');
    await page.waitForSelector('[data-testid="sweep-scenario"] option', { state: 'attached' });
    assert.equal(await page.inputValue('[data-testid="sweep-scenario"]'), 'seed-debate');
  });

  it('says how many runs per point the seed list gives, and which seeds', async () => {
    const hint = () => page.textContent('[data-testid="sweep-seeds-hint"]', { timeout: 5_000 });
    assert.equal(await hint(), '= 1 run per point (seed 1)');
    await page.fill('[data-testid="sweep-seeds"]', '2');
    assert.equal(await hint(), '= 1 run per point (seed 2)');
    await page.fill('[data-testid="sweep-seeds"]', '1, 2, 3');
    assert.equal(await hint(), '= 3 runs per point (seeds 1, 2, 3)');
    await shot(page, 'sweep-seeds-hint');
    await page.fill('[data-testid="sweep-seeds"]', 'x');
    assert.equal(await hint(), '');
  });
});
