// Rough edges a new user met in the browser edition (session 11's tour), each fixed and checked here:
// the trace-oracle scenario says where its trace file is; the x86 profile words the lockless what-if in
// x86 terms (EPT/TDP A/D bits, not FEAT_HAFDBS); the reproduction notes name the app's Hardware choice
// next to the CLI's --profile; each chart's "?", PNG and SVG button is named after its chart.
// Controls: on the build before these changes (main 763b753, `--no-build` with its out/web) the trace,
// x86 and chart cases fail (generic trace hint; "this profile has FEAT_HAFDBS"; seven buttons named "?").
// Screenshots: test-results/e2e/rough-*.png.
/* global document */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chartsSettled, labInBrowser, shot } from './browser.mjs';

describe('rough edges of a first visit', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((opened) => (page = opened));

  it('trace-oracle tells a browser user where cloudPhysicsIO.txt is', async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'trace-oracle');
    const status = await page.textContent('[data-testid="g0-trace-status"]');
    assert.match(status, /“cloudPhysicsIO” is not loaded: load cloudPhysicsIO\.txt/);
    assert.match(status, /github\.com\/1a1a11a\/libCacheSim, folder data\//);
    assert.match(status, /\.\.\/shared\/data\/traces/);
    // The scenario's description (its first sentence is always shown) says it too.
    assert.match(
      await page.textContent('[data-testid="scenario-description"] summary'),
      /load cloudPhysicsIO\.txt in the guest's workload first: it is in libCacheSim's data\/ folder/,
    );
    await page.locator('[data-testid="g0-trace-status"]').scrollIntoViewIfNeeded();
    await shot(page, 'rough-01-trace-hint');
    // Run before loading: the refusal names the guest and where to get the file.
    await page.click('[data-testid="run-button"]');
    const banner = page.locator('[data-testid="error-banner"]');
    await banner.waitFor();
    const text = await banner.textContent();
    assert.match(text, /guests\[0\] 'replay'\.workload\.trace: replays trace 'cloudPhysicsIO', which is not loaded/);
    assert.match(text, /from github\.com\/1a1a11a\/libCacheSim, folder data\//);
    await shot(page, 'rough-02-trace-refused');
    await page.click('[data-testid="error-dismiss"]');
  });

  it('on the x86 profile the lockless what-if speaks of EPT/TDP A/D bits, on Altra of FEAT_HAFDBS', async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    await page.selectOption('[data-testid="profile-select"]', 'x86-workstation');
    const reason = page.locator('[data-testid="allow-lockless-reason"]');
    assert.equal(await reason.textContent(), 'no effect: this profile has hardware A/D bits in the EPT/TDP tables');
    assert.match(await page.textContent('[data-testid="hardware-access-bits"]'), /^EPT\/TDP A\/D bits: yes/);
    // The harvest mode's help names both architectures' features.
    assert.match(
      await page
        .locator('div.field', { has: page.locator('#harvest') })
        .locator('p.help')
        .textContent(),
      /arm64: FEAT_HAFDBS; x86: EPT\/TDP A\/D bits/,
    );
    await reason.scrollIntoViewIfNeeded();
    await shot(page, 'rough-03-x86-whatif');
    await page.locator('[data-testid="hardware-card"] h3').scrollIntoViewIfNeeded();
    await shot(page, 'rough-04-x86-card');
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
    assert.equal(await reason.textContent(), 'no effect: this profile has FEAT_HAFDBS');
    assert.match(await page.textContent('[data-testid="hardware-access-bits"]'), /^FEAT_HAFDBS: yes/);
  });

  it("the v1 and v2 reproductions' notes name the Reproductions view's Hardware choice and the CLI flag", async () => {
    for (const id of ['repro-max-guest-memory', 'repro-max-guest-memory-v2']) {
      await page.selectOption('[data-testid="scenario-select"]', id);
      const text = await page.textContent('[data-testid="scenario-description"]');
      assert.match(
        text,
        /\(Reproductions view: Hardware; or `lab reproduce repro-v[12]-[a-z]+ --profile x86-workstation`\)/,
      );
    }
    await page.click('[data-testid="scenario-description"] summary');
    await page.locator('[data-testid="scenario-description"]').scrollIntoViewIfNeeded();
    await shot(page, 'rough-05-repro-notes');
  });

  it('each chart’s ?, PNG and SVG button is named after its chart', async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    await page.selectOption('[data-testid="profile-select"]', 'ampere-altra');
    await page.fill('[data-testid="duration"]', '100');
    await page.click('[data-testid="run-button"]');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="run-state"]')?.textContent?.startsWith('done') ||
        document.querySelector('[data-testid="error-banner"]'),
      null,
      { timeout: 120_000 },
    );
    assert.equal(await page.locator('[data-testid="error-banner"]').count(), 0);
    await chartsSettled(page, 'run-view');
    const cards = await page.$$eval('[data-testid="run-view"] figure[data-testid^="chart-card-"]', (els) =>
      els.map((el) => ({
        title: el.querySelector('figcaption strong')?.firstChild?.textContent?.trim() ?? '',
        names: ['explain', 'png', 'svg'].map(
          (k) => el.querySelector(`button[data-testid^="${k}-"]`)?.getAttribute('aria-label') ?? '',
        ),
      })),
    );
    assert.ok(cards.length >= 7, `${cards.length} charts`);
    for (const { title, names } of cards) {
      assert.ok(title.length > 0);
      assert.deepEqual(names, [
        `What does the chart “${title}” show?`,
        `Export “${title}” as PNG`,
        `Export “${title}” as SVG`,
      ]);
    }
    assert.equal(new Set(cards.map((c) => c.names[0])).size, cards.length, 'every ? has its own name');
    // As a screen reader finds it: by role and name.
    await page.getByRole('button', { name: `What does the chart “${cards[0].title}” show?` }).click();
    await page.waitForSelector('[data-testid^="explanation-"]');
    await shot(page, 'rough-06-chart-help');
  });
});
