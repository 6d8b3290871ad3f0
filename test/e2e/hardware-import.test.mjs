/* global document -- code passed to page.waitForFunction runs in the page */
// Hardware preset import against the built-in profiles (browser edition). A preset file that keeps a
// built-in profile's id but changes it used to be "imported" (notice shown) while the profile list kept
// the built-in one: the file's costs were silently dropped. Now it is refused with a message naming the
// id and the changed costs, and nothing in the setup changes; an unchanged copy of a built-in just
// selects it; the same file with an id of its own imports. Control: without the check in
// renderer/src/state/imports.svelte.ts the clash case shows no banner and fails.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { labInBrowser, shot, SHOTS } from './browser.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const altra = JSON.parse(readFileSync(path.join(repoRoot, 'presets/hardware/ampere-altra.json'), 'utf8'));

describe('hardware preset import vs the built-in profiles', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  const options = () => page.$$eval('[data-testid="profile-select"] option', (os) => os.map((o) => o.value));
  const banner = () => page.locator('[data-testid="error-banner"]');
  const pick = async (name, preset) => {
    const file = path.join(SHOTS, name);
    writeFileSync(file, JSON.stringify(preset));
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.click('[data-testid="import-hardware"]'),
    ]);
    await chooser.setFiles(file);
  };
  const edited = {
    ...altra,
    name: 'My Altra',
    costs: { ...altra.costs, memAccess: { ...altra.costs.memAccess, ns: 250 } },
  };

  labInBrowser(async (opened) => {
    page = opened;
    await page.selectOption('[data-testid="profile-select"]', 'pkvm');
  });

  it("an edited preset with a built-in profile's id is refused, naming the id and the changed cost", async () => {
    const before = await options();
    const memBefore = await page.inputValue('[data-testid="cost-memAccess"]');
    await pick('altra-same-id.json', edited);
    await banner().waitFor({ timeout: 10_000 });
    const text = await banner().textContent();
    assert.match(text, /altra-same-id\.json/);
    assert.match(text, /'ampere-altra'/);
    assert.match(text, /memAccess/);
    assert.deepEqual(await options(), before, 'the profile list is unchanged');
    assert.equal(await page.inputValue('[data-testid="profile-select"]'), 'pkvm', 'the selected profile is kept');
    assert.equal(await page.inputValue('[data-testid="cost-memAccess"]'), memBefore);
    await shot(page, 'hardware-import-clash');
    await page.click('[data-testid="error-dismiss"]');
  });

  it('an unchanged copy of a built-in profile selects the built-in', async () => {
    await pick('altra-copy.json', altra);
    await page.waitForFunction(
      () => /built-in profile/.test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''),
      null,
      { timeout: 10_000 },
    );
    assert.equal(await banner().count(), 0);
    assert.equal(await page.inputValue('[data-testid="profile-select"]'), 'ampere-altra');
    assert.equal((await options()).filter((id) => id === 'ampere-altra').length, 1);
  });

  it('the edited preset with an id of its own imports, with its cost', async () => {
    await pick('altra-own-id.json', { ...edited, id: 'my-altra' });
    await page.waitForSelector('[data-testid="profile-select"] option[value="my-altra"]', { state: 'attached' });
    assert.equal(await banner().count(), 0);
    assert.equal(await page.inputValue('[data-testid="profile-select"]'), 'my-altra');
    assert.equal(await page.inputValue('[data-testid="cost-memAccess"]'), '250');
  });
});
