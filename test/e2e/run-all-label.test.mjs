// The "run the seed debate on every profile" button says how many profiles it runs and names them:
// it runs the scenario's own profiles (ampere-altra, phone-prev82, pkvm), not every profile listed
// (x86-workstation is not one of them), but it read "on all profiles" and its tooltip said "on every
// hardware profile". Control: with the old label and tooltip both checks fail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labInBrowser } from './browser.mjs';

describe('run-all-profiles button', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((opened) => (page = opened));

  it('names the number of profiles it runs, and which', async () => {
    const profiles = await page.$$eval('[data-testid="profile-select"] option', (os) => os.map((o) => o.value));
    assert.ok(profiles.includes('x86-workstation'), 'the profile list has x86-workstation');
    const button = page.locator('[data-testid="run-all-profiles"]');
    assert.equal((await button.textContent()).trim(), 'Run seed debate on its 3 profiles');
    const title = await button.getAttribute('title');
    for (const name of ['Ampere Altra', 'Pre-v8.2 phone', 'Android protected KVM'])
      assert.ok(title.includes(name), title);
    assert.ok(!title.includes('x86'), title);
  });
});
