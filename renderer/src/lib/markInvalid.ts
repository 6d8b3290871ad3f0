/**
 * Marks the fields a refused config is about (problemFields.ts): aria-invalid="true" (app.css outlines
 * it in red) and the problem as its tooltip. Editing a marked field unmarks it; `undo` unmarks all.
 */
import { invalidFields } from './problemFields.ts';

export interface Marked {
  /** The first field found, to focus and scroll to; null when none is on the page. */
  first: HTMLElement | null;
  /** Selectors of the fields not found on the page (e.g. guest fields while another tab shows). */
  missing: string[];
  undo: () => void;
}

export function markInvalid(root: ParentNode, problems: readonly string[]): Marked {
  const undos: (() => void)[] = [];
  const missing: string[] = [];
  let first: HTMLElement | null = null;
  for (const { selector, problem } of invalidFields(problems)) {
    const el = root.querySelector<HTMLElement>(selector);
    if (!el) {
      missing.push(selector);
      continue;
    }
    first ??= el;
    const title = el.getAttribute('title');
    const unmark = () => {
      el.removeAttribute('aria-invalid');
      if (title === null) el.removeAttribute('title');
      else el.setAttribute('title', title);
      el.removeEventListener('input', unmark);
      el.removeEventListener('change', unmark);
    };
    el.setAttribute('aria-invalid', 'true');
    el.setAttribute('title', problem);
    el.addEventListener('input', unmark);
    el.addEventListener('change', unmark);
    undos.push(unmark);
  }
  return { first, missing, undo: () => undos.forEach((u) => u()) };
}
