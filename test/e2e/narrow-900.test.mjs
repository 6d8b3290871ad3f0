// A 900 × 700 window (half a laptop screen; the content pane beside the 300-px sidebar is ~600 px):
// the header's commands and the Reproductions table stay whole. Before (session 17 g's new-user pass):
// the header squeezed its buttons until 'Undo', 'Save As…' and 'Export CSV' broke onto two lines and the
// session name read 'unsa…'; the reproductions table kept each reproduction's id and its Run button on
// one line (white-space: nowrap) and ran ~90 px past the pane, cutting the 'in band' column and every
// note. Control: on the build before the fix both checks fail (see docs/ARCHITECTURE.md, Session 17 g).
/* global document, getComputedStyle -- code passed to page.evaluate runs in the page */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labInBrowser, shot } from './browser.mjs';

describe('narrow window (900 × 700)', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  labInBrowser(async (opened) => {
    page = opened;
    await page.setViewportSize({ width: 900, height: 700 });
  });

  it("the header's buttons keep their labels on one line and the session name is not cut", async () => {
    const bad = await page.evaluate(() => {
      const out = [];
      for (const b of document.querySelectorAll('header button')) {
        const r = b.getBoundingClientRect();
        const line = parseFloat(getComputedStyle(b).lineHeight) || 16;
        // One line of text plus padding and border: a wrapped label is at least one more line high.
        if (r.height > line * 1.9 || b.scrollWidth > b.clientWidth + 1)
          out.push(`${b.textContent.trim()} ${r.height}px`);
      }
      const s = document.querySelector('[data-testid="session-name"]');
      if (s.scrollWidth > s.clientWidth + 1) out.push(`session name cut: ${s.clientWidth} < ${s.scrollWidth}`);
      const h = document.querySelector('header');
      if (h.scrollWidth > h.clientWidth + 1) out.push(`header scrolls: ${h.scrollWidth} > ${h.clientWidth}`);
      return out;
    });
    await shot(page, 'n900-01-header');
    assert.deepEqual(bad, []);
  });

  it('the Reproductions table fits the content pane: no column or note is cut', async () => {
    await page.click('[data-testid="tab-repro"]');
    await page.waitForSelector('[data-testid="repro-table"]');
    const o = await page.evaluate(() => {
      const c = document.querySelector('main .content');
      const t = document.querySelector('[data-testid="repro-table"]');
      return { table: Math.round(t.getBoundingClientRect().width), pane: c.clientWidth, scroll: c.scrollWidth };
    });
    await shot(page, 'n900-02-repro');
    assert.ok(o.scroll <= o.pane, `content scrolls sideways: ${o.scroll} > ${o.pane} (table ${o.table})`);
    assert.ok(o.table <= o.pane, `table ${o.table} px in a ${o.pane}-px pane`);
  });
});
