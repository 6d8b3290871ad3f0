// What a new user meets in the Sweep view's builder. (1) It starts on the scenario picked in the sidebar;
// it used to start on the catalog's first entry (repro-max-guest-memory-v2) whatever the sidebar showed.
// Control: with the old default (lab.scenarios[0]) the first case fails. (2) The seeds field is a list
// of seed values, not a count: typing 2 (meaning "two seeds") ran one run per point with seed 2, and
// nothing said so. A live hint beside the field now states what will run. Control: without the hint
// (SweepView.svelte before this change) the element is missing. (3) Picking the harvest-mode axis
// filled in every mode, 'hypercall' included, on a scenario whose hardware has no pKVM: pressing Run
// sweep then was refused ("point harvest hypercall: ... exists only under pKVM"). The axis is now filled
// with the modes the scenario's hardware allows. Control: with HARVEST_MODES as the choices
// (sweep.svelte.ts before this change) the values check fails (that sweep's refusal was seen by hand).
// (4) A message about the form as it was stayed under it after the axis changed. Control: without
// clearing in setAxisPath it stays.
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

  it("fills the harvest-mode axis with the modes the scenario's hardware allows, and that sweep runs", async () => {
    await page.fill('[data-testid="sweep-seeds"]', '1');
    await page.selectOption('[data-testid="sweep-axis-0-path"]', 'reclaim.harvest');
    // seed-debate's sweep runs on its first profile, ampere-altra: FEAT_HAFDBS, no pKVM.
    assert.equal(
      await page.inputValue('[data-testid="sweep-axis-0-values"]'),
      'lockless, locked-write, locked-read, none',
    );
    await page.click('[data-testid="sweep-start"]');
    await page.waitForSelector('[data-testid="sweep-progress"][data-total="4"]');
    assert.equal(await page.locator('[data-testid="sweep-error"]').count(), 0);
    await page.click('[data-testid="sweep-stop"]');
    await page.waitForSelector('[data-testid="sweep-progress"][data-running="false"]');
  });

  it('drops a message about the form once the axis it named changes', async () => {
    await page.selectOption('[data-testid="sweep-axis-0-path"]', 'host.memoryMiB');
    await page.fill('[data-testid="sweep-axis-0-values"]', '');
    await page.click('[data-testid="sweep-start"]');
    assert.equal(await page.textContent('[data-testid="sweep-error"]'), 'host.memoryMiB: give at least one value');
    await page.selectOption('[data-testid="sweep-axis-0-path"]', 'reclaim.policy');
    assert.equal(await page.locator('[data-testid="sweep-error"]').count(), 0);
  });
});
