// A refused setup shows where the problem is. The engine's message names a config path
// ("guests[2] 'cache'.vcpus: must be an integer >= 1 ...", the name since session 11); with four guests on a long page the user had to count
// guests from 0 and scroll to find the field, and pressing Run from the Run tab left the field out of
// sight. Now the field is outlined (aria-invalid), carries the problem as its tooltip, is focused and
// scrolled into view, the Setup tab opening when the field lives there; editing the field or dismissing
// the banner unmarks it. Control: on the build before this change (--no-build) the first case fails
// (no aria-invalid, and the Run tab stays).
/* global document */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labInBrowser, shot } from './browser.mjs';

const banner = '[data-testid="error-banner"]';

describe('a refused setup marks the field', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((opened) => (page = opened));

  it("marks the third guest's vCPUs, opens Setup and focuses it when Run is pressed on the Run tab", async () => {
    await page.selectOption('[data-testid="scenario-select"]', 'seed-debate');
    await page.fill('#g2-vcpus', '-3');
    await page.click('[data-testid="tab-run"]');
    await page.click('[data-testid="run-button"]');
    await page.waitForSelector(banner);
    // The guest is named as well as numbered (engine/core/config/fields.ts guestPath).
    assert.match(await page.textContent(banner), /guests\[2\] 'cache'\.vcpus: must be an integer >= 1/);
    await page.waitForSelector('#g2-vcpus[aria-invalid="true"]');
    assert.equal(await page.getAttribute('[data-testid="tab-setup"]', 'aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'g2-vcpus');
    assert.match(await page.getAttribute('#g2-vcpus', 'title'), /^guests\[2\] 'cache'\.vcpus: must be an integer/);
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 1, 'only the field named');
    await shot(page, 'invalid-01-field');
    // Editing the field unmarks it (the banner stays until dismissed or the next run).
    await page.fill('#g2-vcpus', '2');
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
  });

  it('marks a sidebar field (a 0 ms run) and unmarks it when the banner is dismissed', async () => {
    await page.click('[data-testid="error-dismiss"]');
    await page.fill('[data-testid="duration"]', '0');
    await page.click('[data-testid="run-button"]');
    await page.waitForSelector('#duration[aria-invalid="true"]');
    assert.match(await page.textContent(banner), /run\.durationMs: must be a number > 0/);
    await page.click('[data-testid="error-dismiss"]');
    assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
    await page.fill('[data-testid="duration"]', '1500');
  });

  it('finds on the page every field renderer/src/lib/problemFields.ts maps a path to', async () => {
    // The selectors of problemFields.ts (guest 2 of seed-debate is a hotset, guest 0 a zipf).
    const selectors = [
      '#host-mem',
      '#wm-min',
      'input[aria-label="low watermark"]',
      'input[aria-label="high watermark"]',
      '#swap-dev',
      '#swap-size',
      '#policy',
      '#harvest',
      '#aging',
      '#duration',
      '#sample',
      '#seed',
      '#workers',
      '#window',
      '[data-testid="guest-2"] input[aria-label="Guest name"]',
      '#g2-mem',
      '#g2-vcpus',
      '[data-testid="g2-protected"]',
      '#g2-kind',
      '#g2-pages',
      '#g2-hot',
      '#g2-hotp',
      '#g2-shift',
      '#g2-wf',
      '#g2-think',
      '#g0-theta',
      '[data-testid="cost-s2Fault"]',
    ];
    const missing = await page.evaluate((s) => s.filter((x) => !document.querySelector(x)), selectors);
    assert.deepEqual(missing, []);
  });
});
