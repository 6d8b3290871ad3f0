/**
 * Security settings of the app's windows, in one place (Electron security checklist):
 * contextIsolation, sandbox, no nodeIntegration, webSecurity, a CSP on every response of our
 * `lab://app` origin, navigation and new windows blocked, permission requests denied, IPC senders
 * checked against our origin.
 *
 * Pure module (no runtime import of electron): applySecurity takes webContents/session-like objects,
 * so tests drive it with fakes. The composition root (index.ts) applies it to every window.
 */
import type { WebPreferences } from 'electron';

/** The renderer is served from this privileged custom scheme (never file://, which grants every file). */
export const APP_SCHEME = 'lab';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** webPreferences of every window (window.ts spells the same values out literally, checked by a test). */
export const WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  /** Middle-click (auxclick) could open links in new windows: off (new windows are denied anyway). */
  disableBlinkFeatures: 'Auxclick',
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  safeDialogs: true,
} as const satisfies WebPreferences;

/**
 * The Content-Security-Policy of the renderer. Scripts only from our origin (no eval, no inline);
 * styles from our origin plus inline style attributes (Svelte and chart.js set element styles);
 * workers from our origin or blob: (chart.js may not, the browser edition's engine does); nothing can
 * be framed, posted or loaded from the network.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** In development the renderer comes from Vite's dev server, whose HMR client needs a websocket. */
export function devCsp(devServerUrl: string): string {
  const u = new URL(devServerUrl);
  const ws = `${u.protocol === 'https:' ? 'wss' : 'ws'}://${u.host}`;
  return CSP.replace("script-src 'self'", `script-src 'self' ${u.origin}`).replace(
    "connect-src 'self'",
    `connect-src 'self' ${u.origin} ${ws}`,
  );
}

/**
 * Is this URL one of our pages? Exactly our origin (or the dev server's in development); anything
 * else — another scheme, host, port, a file:// URL, about:blank, a data: URL — is foreign.
 */
export function isAppUrl(url: string, devServerUrl?: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST) return true;
  if (devServerUrl) {
    try {
      return u.origin === new URL(devServerUrl).origin && u.origin !== 'null';
    } catch {
      return false;
    }
  }
  return false;
}

/** The IPC sender check: the frame that sent the message must show one of our pages. */
export interface SenderFrameLike {
  url: string;
}
export function isTrustedSender(frame: SenderFrameLike | null | undefined, devServerUrl?: string): boolean {
  return !!frame && typeof frame.url === 'string' && isAppUrl(frame.url, devServerUrl);
}

// ------------------------------------------------------------------ applying the settings

export interface EventLike {
  preventDefault(): void;
}
export type WindowOpenDecision = { action: 'deny' };

/** The subset of WebContents that applySecurity touches (a fake in tests). */
export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: EventLike, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: EventLike) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => WindowOpenDecision): void;
}

/** The subset of Session that applySecurity touches. */
export interface SessionLike {
  setPermissionRequestHandler(
    handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void;
  setPermissionCheckHandler(handler: (wc: unknown, permission: string) => boolean): void;
}

export interface SecurityLog {
  (message: string): void;
}

/**
 * Deny everything the renderer could use to leave the app: every navigation (the app is a single page;
 * a same-document hash change is not a navigation event), every redirect, every new window (a link
 * with target=_blank included), every webview, every permission (camera, notifications, ...).
 */
export function applySecurity(contents: WebContentsLike, log: SecurityLog = () => {}): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    log(`blocked navigation to ${url}`);
  });
  contents.on('will-redirect', (event, url) => {
    event.preventDefault();
    log(`blocked redirect to ${url}`);
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked a webview');
  });
  contents.setWindowOpenHandler(({ url }) => {
    log(`blocked a new window for ${url}`);
    return { action: 'deny' };
  });
}

/** Applied once per session (all our windows share the default session). */
export function applySessionSecurity(session: SessionLike, log: SecurityLog = () => {}): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`denied permission request: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
}
