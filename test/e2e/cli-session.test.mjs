// Sharing a session from the command line (s9-t trial): a user runs seed-debate with `lab run --out`,
// opens the file in the app, and expects the lab's usual screen — every chart, not one — and the same
// figures `lab show` prints for it. The CLI used to save its sessions with the hit-rate chart only, so
// the app opened them with six of seven charts unticked.
// Negative control (run by hand): engine/cli/session.ts with chartMetric ['hitRate'] fails the first test.
// Screenshot: test-results/e2e/cs01-cli-session-opened.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { labInBrowser, shot, summaryCells } from './browser.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'ocl-cli-session-'));
const file = path.join(dir, 'seed-debate.msgpack');

function lab(...args) {
  const r = spawnSync(process.execPath, ['scripts/lab.mjs', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, LAB_NO_WORKER_BUILD: '1' },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `lab ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('a session saved by the CLI, opened in the app', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser((p) => (page = p));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('opens with every chart, as a run made in the app does', async () => {
    lab('run', 'seed-debate', '--profile', 'ampere-altra', '--duration-ms', '100', '--deterministic', '--out', file);
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('[data-testid="open-button"]')]);
    await chooser.setFiles(file);
    await page.waitForSelector('[data-testid="summary-table"]');
    const shown = await page.$$eval('[role="group"][aria-label="Charts shown"] input[type="checkbox"]', (els) =>
      els.map((e) => e.checked),
    );
    assert.ok(shown.length >= 7, `${shown.length} chart boxes`);
    assert.deepEqual(shown, Array(shown.length).fill(true), 'every chart is shown');
    assert.equal(await page.locator('canvas[data-testid^="chart-"]').count(), shown.length);
    await shot(page, 'cs01-cli-session-opened');
  });

  it('shows the figures `lab show` prints for the file', async () => {
    const shown = JSON.parse(lab('show', file, '--json'));
    const run = (shown.runs ?? shown)[0];
    const cells = await summaryCells(page, 0);
    const hit = cells['summary-hitRate-0'];
    // One number style (engine/numberFormat.ts): the app's cell is the CLI's text.
    assert.equal(hit, `${(run.summary.hitRate * 100).toFixed(2)}%`);
  });
});
