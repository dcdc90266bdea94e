/**
 * Layout checks on the page as drawn (real boxes, not styles): what sticks
 * out of the window, what is wider than its own box, what is cut with "…"
 * and says nothing more on hover, and words broken across two lines. Each
 * returns the offending elements (or words) named, so a failure says where.
 */
import type { Page } from 'playwright-core';

/** Visible HTML elements matching `sel`, named as tag#id.class "text". */
const SETUP = `
  window.__name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.classList.length ? '.' + [...e.classList].join('.') : '') + ' "' + (e.textContent || '').trim().slice(0, 40) + '"';
  window.__visible = (e) => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
`;

async function setup(page: Page): Promise<void> {
  await page.evaluate(SETUP);
}

/** Elements whose box reaches past the window's left or right edge. */
export async function outsideViewport(page: Page, sel: string): Promise<string[]> {
  await setup(page);
  return page.$$eval(sel, (els) => {
    const w = window as unknown as { __name: (e: Element) => string; __visible: (e: Element) => boolean };
    return els.filter((e) => e instanceof HTMLElement && w.__visible(e)).filter((e) => {
      const r = e.getBoundingClientRect();
      return r.left < -1 || r.right > document.documentElement.clientWidth + 1;
    }).map(w.__name);
  });
}

/** Form fields and canvases draw their own contents; the rest must fit their box (or be cut with "…", see cutText). */
const SKIP = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'CANVAS', 'OPTION']);

/** Elements whose contents are wider than their box, other than text cut with an ellipsis on purpose. */
export async function overflowing(page: Page, sel: string): Promise<string[]> {
  await setup(page);
  return page.$$eval(sel, (els, skip) => {
    const w = window as unknown as { __name: (e: Element) => string; __visible: (e: Element) => boolean };
    return els.filter((e) => e instanceof HTMLElement && !skip.includes(e.tagName) && w.__visible(e)).filter((e) => {
      const h = e as HTMLElement;
      const s = getComputedStyle(h);
      if (s.textOverflow === 'ellipsis' || s.overflowX === 'auto' || s.overflowX === 'scroll') return false;
      return h.scrollWidth > h.clientWidth + 1;
    }).map(w.__name);
  }, [...SKIP]);
}

/** Elements cut short (wider contents than box) whose tooltip does not hold their whole text. */
export async function cutText(page: Page, sel: string): Promise<string[]> {
  await setup(page);
  return page.$$eval(sel, (els, skip) => {
    const w = window as unknown as { __name: (e: Element) => string; __visible: (e: Element) => boolean };
    return els.filter((e) => e instanceof HTMLElement && !skip.includes(e.tagName) && w.__visible(e)).filter((e) => {
      const h = e as HTMLElement;
      if (h.scrollWidth <= h.clientWidth + 1) return false;
      const text = (h.textContent ?? '').trim();
      const tip = h.title || h.closest('[title]')?.getAttribute('title') || '';
      return !tip.includes(text);
    }).map(w.__name);
  }, [...SKIP]);
}

/** Words under `sel` that the browser broke across two lines. */
export async function splitWords(page: Page, sel: string): Promise<string[]> {
  return page.$$eval(sel, (roots) => {
    const out: string[] = [];
    for (const root of roots) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = n.textContent ?? '';
        const re = /\S+/g;
        for (let m = re.exec(text); m; m = re.exec(text)) {
          const range = document.createRange();
          range.setStart(n, m.index);
          range.setEnd(n, m.index + m[0].length);
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (tops.size > 1) out.push(m[0]);
        }
      }
    }
    return out;
  });
}
