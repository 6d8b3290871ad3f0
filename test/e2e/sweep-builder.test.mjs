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
// clearing in setAxisPath it stays. (5) An axis on a guest of the scenario (guests.web.memoryMiB) showed
// as a blank choice once the sweep's scenario was switched to one without that guest, and Run sweep was
// refused naming a path no longer on screen. The axis now shows its path, marked 'not in <scenario>',
// and Run sweep says to pick another. Control: on the build before, the knob select's text is empty.
// (6) A sweep stopped before its runs finished read '0/4 runs · done'; it reads 'stopped' (control:
// the build before fails case 3's last check).
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
    // Stopped before its 4 runs finished: it says so ('0/4 runs · done' before).
    assert.match(await page.textContent('[data-testid="sweep-progress"]'), /^\s*\d\/4 runs · stopped\s*$/);
  });

  it('drops a message about the form once the axis it named changes', async () => {
    await page.selectOption('[data-testid="sweep-axis-0-path"]', 'host.memoryMiB');
    await page.fill('[data-testid="sweep-axis-0-values"]', '');
    await page.click('[data-testid="sweep-start"]');
    assert.equal(await page.textContent('[data-testid="sweep-error"]'), 'host.memoryMiB: give at least one value');
    await page.selectOption('[data-testid="sweep-axis-0-path"]', 'reclaim.policy');
    assert.equal(await page.locator('[data-testid="sweep-error"]').count(), 0);
  });

  it('shows an axis the scenario switched to lacks, and Run sweep says to pick another', async () => {
    await page.selectOption('[data-testid="sweep-scenario"]', 'seed-debate');
    await page.selectOption('[data-testid="sweep-axis-0-path"]', 'guests.web.memoryMiB');
    await page.fill('[data-testid="sweep-axis-0-values"]', '256, 512');
    await page.selectOption('[data-testid="sweep-scenario"]', 'trace-oracle');
    const shown = await page.$eval('[data-testid="sweep-axis-0-path"]', (s) => s.selectedOptions[0]?.textContent ?? '');
    assert.equal(shown.trim(), 'guests.web.memoryMiB — not in trace-oracle');
    await page.click('[data-testid="sweep-start"]');
    assert.equal(
      await page.textContent('[data-testid="sweep-error"]'),
      'guests.web.memoryMiB: not a knob of trace-oracle; pick another for this axis',
    );
    await shot(page, 'sweep-axis-not-in-scenario');
  });
});
