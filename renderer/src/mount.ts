/**
 * Mounts the app on a page whose host has set `window.labApi` (Electron preload or web/main.ts).
 * `startupErrors` are host problems found before the app existed (e.g. not cross-origin isolated):
 * they go to the error banner, so they are seen.
 */
import { mount } from 'svelte';
import type { LabApi } from '../../engine/protocol.ts';
import App from './App.svelte';
import { LabState } from './state/lab.svelte.ts';
import './app.css';

declare global {
  interface Window {
    labApi: LabApi;
  }
}

export function mountApp(
  target: HTMLElement,
  options: { startupErrors?: { title: string; message: string }[] } = {},
): LabState {
  const api = window.labApi;
  if (!api) {
    target.textContent = 'Overcommit Lab: no LabApi on this page (window.labApi is missing); the host did not load.';
    throw new Error('window.labApi is missing');
  }
  const lab = new LabState(api);
  for (const e of options.startupErrors ?? []) lab.showError(e.title, e.message);
  mount(App, { target, props: { lab } });
  return lab;
}
