/* global document, getComputedStyle -- code passed to page.evaluate runs in the page */
// Nothing lost: a setup edit alone (no run made) is unsaved work. New and Open ask first, saying what
// would be lost; a reload asks (beforeunload); undoing back to the saved setup, or saving, is clean again.
// Before session 9 all three checked unsaved runs only, so New dropped the edits without a word.
// Control: with confirmDiscard and App's beforeunload checking runs only (`lab.unsaved?.runs == null`
// as "nothing to lose"), the first check of each of the two tests below fails.
// Also: the Scenario drop-down names the scenario once (the profile is the picker's above) and, where the
// closed drop-down clips a long name, shows it whole underneath.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SHOTS, dropFile, labInBrowser, reloadAsked, shot } from './browser.mjs';

describe('unsaved setup edits', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((opened) => (page = opened));

  const modified = () => page.locator('[data-testid="modified"]').count();
  const dialogShown = () => page.locator('[data-testid="confirm-dialog"]').count();

  it('New asks before dropping a setup edit, names it, and Cancel keeps it; undo back is clean', async () => {
    assert.equal(await modified(), 0, 'fresh page: nothing modified');
    await page.fill('[data-testid="host-memory"]', '768');
    assert.equal(await modified(), 1);
    await page.click('[data-testid="new-button"]');
    await page.waitForSelector('[data-testid="confirm-dialog"]', { timeout: 3000 });
    const text = await page.textContent('[data-testid="confirm-dialog"]');
    assert.match(text, /unsaved changes: setup edits\./);
    assert.doesNotMatch(text, /\brun\b|\bruns\b/, 'no run was made: the question does not mention runs');
    await shot(page, 'unsaved-setup-confirm-new');
    await page.click('[data-testid="confirm-no"]');
    assert.equal(await page.inputValue('[data-testid="host-memory"]'), '768', 'Cancel kept the edit');

    // Undo back to the saved setup: nothing to lose, New asks nothing.
    await page.click('[data-testid="undo-button"]');
    assert.equal(await page.inputValue('[data-testid="host-memory"]'), '1024');
    assert.equal(await modified(), 0, 'undone back to the saved setup: not modified');
    await page.click('[data-testid="new-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="notice"]')?.textContent === 'New session.');
    assert.equal(await dialogShown(), 0, 'nothing to lose: no question');

    // A profile switch (as an import makes) is a setup edit too.
    await page.selectOption('[data-testid="profile-select"]', 'pkvm');
    assert.equal(await modified(), 1);
    await page.click('[data-testid="new-button"]');
    await page.waitForSelector('[data-testid="confirm-dialog"]', { timeout: 3000 });
    await page.click('[data-testid="confirm-yes"]');
    assert.equal(await page.inputValue('[data-testid="profile-select"]'), 'ampere-altra', 'New, confirmed');
    assert.equal(await modified(), 0);
  });

  it('reload asks while a setup edit is unsaved; Open asks; after Save neither does', async () => {
    await page.fill('[data-testid="host-memory"]', '900');
    assert.equal(await reloadAsked(page), 1, 'reload with an unsaved setup edit asks first');
    assert.equal(await page.inputValue('[data-testid="host-memory"]'), '900', 'dismissed: the edit is still there');

    // Save (a download in the browser): clean; a reload then asks nothing.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="save-button"]')]);
    const saved = path.join(SHOTS, 'unsaved-setup.msgpack');
    await download.saveAs(saved);
    assert.equal(await modified(), 0, 'saved: not modified');

    // Another edit, then a session dropped on the window (Open): asks, naming the edit.
    await page.fill('[data-testid="host-memory"]', '640');
    await dropFile(page, '.app', 'unsaved-setup.msgpack', readFileSync(saved));
    await page.waitForSelector('[data-testid="confirm-dialog"]', { timeout: 3000 });
    assert.match(await page.textContent('[data-testid="confirm-dialog"]'), /Open another session\?.*setup edits/s);
    await page.click('[data-testid="confirm-yes"]');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="notice"]')?.textContent?.includes('unsaved-setup.msgpack'),
    );
    assert.equal(await page.inputValue('[data-testid="host-memory"]'), '900', 'the saved setup, reopened');
    assert.equal(await modified(), 0);
    assert.equal(await reloadAsked(page), 0, 'nothing unsaved: the reload asks nothing');
    await page.waitForSelector('[data-testid="profile-select"] option', { state: 'attached' });
  });

  it('the Scenario drop-down names each scenario once, and shows a clipped name whole', async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    const options = await page.$$eval('[data-testid="scenario-select"] option', (os) => os.map((o) => o.text));
    const profiles = await page.$$eval('[data-testid="profile-select"] option', (os) => os.map((o) => o.text));
    for (const o of options) {
      assert.doesNotMatch(o, / — on /, o);
      for (const p of profiles) assert.ok(!o.includes(p), `${o} repeats the profile ${p}`);
    }
    const name = 'Seed debate: 150% overcommit on three profiles';
    assert.equal(await page.textContent('[data-testid="scenario-select"] option:checked'), name);
    // The closed select is narrower than the name: the name is shown whole under it.
    const fits = await page.$eval('[data-testid="scenario-select"]', (s) => {
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = getComputedStyle(s).font;
      return ctx.measureText(s.options[s.selectedIndex].text).width <= s.clientWidth - 28;
    });
    assert.equal(fits, false, 'the name is wider than the closed select');
    assert.equal(await page.textContent('[data-testid="scenario-name"]'), name);
    const box = await page.locator('[data-testid="scenario-name"]').boundingBox();
    const sel = await page.locator('[data-testid="scenario-select"]').boundingBox();
    assert.ok(box.x + box.width <= sel.x + sel.width + 1, 'the whole name stays within the sidebar column');
    await page.locator('[data-testid="scenario-select"]').scrollIntoViewIfNeeded();
    await shot(page, 'unsaved-setup-scenario-name');
  });
});
