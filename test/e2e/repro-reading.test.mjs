// Reading the Reproductions view as a new user who came for the seed question (s9-t trial): every
// reproduction's figures are followed by a note saying how to read them (v1 and v2 were published on
// x86, since the test cannot run on arm64; memcached lacks a measured lock hold), the intro no longer
// says every out-of-band figure is a missing mechanism, and a run-2 time ratio can be traced to its
// runs: the runs table shows each run's run 2. Screenshot: test-results/e2e/rr*.png.
// Negative control (run by hand): without the note rows / the run 2 column both tests fail.
/* global document */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labInBrowser, shot } from './browser.mjs';

const RUN_TIMEOUT = 150_000;
const IDS = ['repro-memcached-arm64', 'repro-v1-mglru', 'repro-v1-active-inactive', 'repro-v2-baseline'];

describe('reading the reproductions', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((p) => (page = p));

  it('follows each reproduction’s figures with how to read them; v1’s says x86 and names the what-if', async () => {
    await page.click('[data-testid="tab-repro"]');
    await page.waitForSelector('[data-testid="repro-note-repro-v1-mglru"]');
    const intro = await page.textContent('[data-testid="repro-intro"]');
    assert.match(intro.replace(/\s+/g, ' '), /measured on other hardware than the lab runs it on/);
    for (const id of IDS) {
      // The note row comes right after the reproduction's last figure row.
      const after = await page.$eval(
        `[data-testid="repro-note-${id}"]`,
        (tr) => tr.previousElementSibling?.getAttribute('data-testid') ?? '',
      );
      assert.match(after, new RegExp(`^repro-row-${id}-`), `${id}'s note follows its figures`);
    }
    const v1 = (await page.textContent('[data-testid="repro-note-repro-v1-mglru"]')).replace(/\s+/g, ' ');
    assert.match(v1, /Published on x86, reproduced on arm64/);
    assert.match(v1, /KVM_GET_REGS/);
    assert.match(v1, /npm run lab -- reproduce repro-v1-mglru --profile x86-workstation/);
    const mc = await page.textContent('[data-testid="repro-note-repro-memcached-arm64"]');
    assert.match(mc, /kvm_age_gfn/);
    // The note row lies under the reproduction's name cell, which spans it.
    const span = await page.$eval('[data-testid="repro-row-repro-v1-mglru-time-ratio"] th', (th) => th.rowSpan);
    assert.equal(span, 4, 'three figures and the note');
    await shot(page, 'rr01-reproduction-notes');
  });

  it('shows each run’s run 2, so a run-2 time ratio can be checked from the runs', async () => {
    const id = 'repro-v2-baseline';
    await page.click(`[data-testid="repro-run-${id}"]`);
    await page.waitForFunction(
      () => document.querySelector('[data-testid="repro-status"]')?.textContent === 'done',
      null,
      { timeout: RUN_TIMEOUT },
    );
    await page.waitForSelector('[data-testid="repro-run-row-before"] [data-testid="repro-run2"]');
    const ms = async (key) =>
      (await page.textContent(`[data-testid="repro-run-row-${key}"] [data-testid="repro-run2"]`)).trim();
    const before = await ms('before');
    const after = await ms('after');
    assert.match(before, /^\d+\.\d{3} ms$/);
    assert.match(after, /^\d+\.\d{3} ms$/);
    const lab = Number(
      (await page.textContent(`[data-testid="repro-row-${id}-time-ratio"] [data-testid="repro-lab"]`)).trim(),
    );
    const ratio = parseFloat(before) / parseFloat(after);
    assert.ok(Math.abs(ratio - lab) < 0.001, `run 2 ${before} / ${after} = ${ratio} vs the table's ${lab}`);
    await page.locator('[data-testid="repro-runs"]').scrollIntoViewIfNeeded();
    await shot(page, 'rr02-run2-column');
  });
});
