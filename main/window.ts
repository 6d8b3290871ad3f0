/**
 * The main window: secure webPreferences (security.ts), the sandboxed preload, our lab://app origin
 * (or the dev server), and a queue of main->renderer messages that waits for the page to load
 * (a session given on the command line is opened before the renderer can listen).
 */
import type { BrowserWindow as BrowserWindowType } from 'electron';
import { APP_ENTRY_URL, applySecurity } from './security.ts';

export interface WindowOptions {
  preloadPath: string;
  devServerUrl?: string;
  log: (message: string) => void;
}

/** Runs `deliver` now if the page has loaded, else once it has (each load: a reload re-delivers nothing). */
export class ReadyQueue {
  private ready = false;
  private pending: (() => void)[] = [];
  markReady(): void {
    this.ready = true;
    const p = this.pending;
    this.pending = [];
    for (const f of p) f();
  }
  markLoading(): void {
    this.ready = false;
  }
  run(deliver: () => void): void {
    if (this.ready) deliver();
    else this.pending.push(deliver);
  }
}

export function createMainWindow(
  BrowserWindow: typeof BrowserWindowType,
  options: WindowOptions,
): { win: BrowserWindowType; queue: ReadyQueue } {
  // The options are a literal, webPreferences spelled out, so static checkers (electronegativity) see
  // them; test/main/security.test.ts checks they equal security.ts's WEB_PREFERENCES.
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Overcommit Lab',
    backgroundColor: '#111418',
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      preload: options.preloadPath,
    },
  });
  const queue = new ReadyQueue();
  applySecurity(win.webContents, options.log);
  win.once('ready-to-show', () => win.show());
  win.webContents.on('did-start-loading', () => queue.markLoading());
  win.webContents.on('did-finish-load', () => queue.markReady());
  void win.loadURL(options.devServerUrl ?? APP_ENTRY_URL);
  return { win, queue };
}
