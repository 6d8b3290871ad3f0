/* global document -- code passed to page.evaluate runs in the page */
// What the Run view says about the run on screen, after "Run seed debate on its 3 profiles" (s17-g's trial,
// fixed s18-f): the title named the hardware twice ("#3 Android protected KVM (...)" then "Seed debate ... —
// Android protected KVM (...)"); the sidebar's Hardware profile showed the profile picked before (the draft,
// what ▶ Run starts next) with nothing saying the run on screen is another one; the stall chart read
// "ms / virtual s" summed over vCPUs (40k on 64 vCPUs); the summary table had "Virtual time (virtual time)".
// Control (run for this commit): on the previous renderer every assertion after the first shot fails.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartsSettled, labInBrowser, shot } from './browser.mjs';

describe('the run on screen', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((opened) => (page = opened));

  it('is named once, the sidebar says when it is not the profile Run uses, stall reads as vCPUs', async () => {
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
    await page.fill('[data-testid="duration"]', '100');
    await page.click('[data-testid="run-all-profiles"]');
    await page.waitForSelector('[data-testid="run-item-2"]', { timeout: 180_000 });
    await page.waitForSelector('[data-testid="tab-compare"][aria-selected="true"]', { timeout: 60_000 });
    await page.click('[data-testid="tab-run"]');
    await chartsSettled(page, 'run-view');
    await shot(page, 'run-view-identity');

    const title = await page.textContent('[data-testid="run-title"]');
    const hw = 'Android protected KVM';
    assert.equal(title.split(hw).length - 1, 1, `the title names the hardware once: ${title}`);
    assert.match(title, /^\s*#3 Android protected KVM/);
    assert.match(title, /Seed debate/);

    assert.equal(await page.inputValue('[data-testid="profile-select"]'), 'ampere-altra', 'the draft is kept');
    const note = await page.textContent('[data-testid="profile-note"]');
    assert.match(note, /Run #3 on screen ran on Android protected KVM .*; ▶ Run uses the profile above\./);
    await page.click('[data-testid="run-item-0"]'); // the Altra run: same profile as the draft, no note
    await page.waitForSelector('[data-testid="profile-note"]', { state: 'detached' });

    const stall = {
      label: await page.getAttribute('[data-testid="chart-vcpuStallNs"]', 'aria-label'),
      card: await page.textContent('[data-testid="chart-card-vcpuStallNs"]'),
    };
    assert.match(stall.label, /^vCPU stall chart \(vCPUs stalled on average\)$/);
    assert.ok(!/ms \/ virtual s/.test(stall.card), stall.card);

    const text = await page.evaluate(() => document.body.innerText);
    assert.ok(!/Virtual time \(virtual time\)/i.test(text), 'no "Virtual time (virtual time)"');
    assert.equal((await page.textContent('[data-testid="summary-explain-virtualMs"]')).trim(), 'Virtual time');
    // The other rows keep their unit, one space after the name.
    assert.equal((await page.textContent('[data-testid="summary-explain-evictions"]')).trim(), 'Evictions (count)');
    await page.locator('[data-testid="summary-explain-virtualMs"]').scrollIntoViewIfNeeded();
    await shot(page, 'run-view-summary');
  });
});
