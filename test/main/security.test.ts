// Security settings: webPreferences, CSP, navigation/new-window/webview/permission denial, origin checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CSP,
  WEB_PREFERENCES,
  applySecurity,
  applySessionSecurity,
  devCsp,
  isAppUrl,
  isTrustedSender,
  type EventLike,
  type WebContentsLike,
} from '../../main/security.ts';
import { resolveAppPath, serveAppRequest, withCspHeader } from '../../main/appProtocol.ts';
import { createMainWindow } from '../../main/window.ts';

function fakeContents() {
  const listeners = new Map<string, (event: EventLike, url: string) => void>();
  let openHandler: ((d: { url: string }) => { action: string }) | null = null;
  const contents: WebContentsLike = {
    on: ((event: string, listener: (e: EventLike, url: string) => void) =>
      listeners.set(event, listener)) as WebContentsLike['on'],
    setWindowOpenHandler: (h) => (openHandler = h),
  };
  const fire = (name: string, url = 'https://evil.example/') => {
    let prevented = false;
    listeners.get(name)?.({ preventDefault: () => (prevented = true) }, url);
    return prevented;
  };
  return { contents, fire, open: (url: string) => openHandler?.({ url }) };
}

describe('webPreferences', () => {
  it('isolates, sandboxes and denies Node to the renderer', () => {
    expect(WEB_PREFERENCES.contextIsolation).toBe(true);
    expect(WEB_PREFERENCES.sandbox).toBe(true);
    expect(WEB_PREFERENCES.nodeIntegration).toBe(false);
    expect(WEB_PREFERENCES.nodeIntegrationInWorker).toBe(false);
    expect(WEB_PREFERENCES.nodeIntegrationInSubFrames).toBe(false);
    expect(WEB_PREFERENCES.webSecurity).toBe(true);
    expect(WEB_PREFERENCES.allowRunningInsecureContent).toBe(false);
    expect(WEB_PREFERENCES.webviewTag).toBe(false);
    expect(WEB_PREFERENCES.experimentalFeatures).toBe(false);
    expect(WEB_PREFERENCES.disableBlinkFeatures).toBe('Auxclick');
  });

  it('the window factory uses exactly these webPreferences, secures its contents and loads lab://app', () => {
    const created: { options: { webPreferences?: unknown }; url?: string; events: string[] }[] = [];
    class FakeWindow {
      webContents = {
        on: (e: string) => (this.rec.events.push(e), this.webContents),
        setWindowOpenHandler: () => this.rec.events.push('setWindowOpenHandler'),
      };
      rec: { options: { webPreferences?: unknown }; url?: string; events: string[] };
      constructor(options: { webPreferences?: unknown }) {
        this.rec = { options, events: [] };
        created.push(this.rec);
      }
      once() {}
      show() {}
      async loadURL(url: string) {
        this.rec.url = url;
      }
    }
    createMainWindow(FakeWindow as never, { preloadPath: '/x/preload/index.cjs', log: () => {} });
    expect(created[0].options.webPreferences).toEqual({ ...WEB_PREFERENCES, preload: '/x/preload/index.cjs' });
    expect(created[0].url).toBe(APP_ENTRY_URL);
    expect(created[0].events).toEqual(
      expect.arrayContaining(['will-navigate', 'will-redirect', 'will-attach-webview', 'setWindowOpenHandler']),
    );
  });
});

describe('CSP', () => {
  const directives = new Map(
    CSP.split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([k, ...v]) => [k, v]),
  );
  it('allows scripts only from our origin: no eval, no inline, no remote', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(CSP).not.toMatch(/unsafe-eval|\*|https?:/);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('form-action')).toEqual(["'none'"]);
  });
  it('adds only the dev server (and its websocket) in development', () => {
    const dev = devCsp('http://localhost:5173');
    expect(dev).toContain("script-src 'self' http://localhost:5173");
    expect(dev).toContain("connect-src 'self' http://localhost:5173 ws://localhost:5173");
    expect(dev).not.toMatch(/unsafe-eval/);
  });
  it('the pages carry the same policy in a <meta> (minus frame-ancestors, which a meta cannot set)', () => {
    const metaOf = (file: string) => {
      const html = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
      const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
      if (!m) throw new Error(`${file} has no CSP meta`);
      return new Map(
        m[1]
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([k, ...v]) => [k, v]),
      );
    };
    const expected = new Map([...directives].filter(([k]) => k !== 'frame-ancestors'));
    // Electron's renderer page: exactly the header's policy.
    expect(metaOf('renderer/index.html')).toEqual(expected);
    // The browser edition: the same, but its engine workers are built files of our origin (no blob: workers).
    expect(metaOf('web/index.html')).toEqual(new Map([...expected, ['worker-src', ["'self'"]]]));
  });
  it('replaces any Content-Security-Policy header of a dev-server response', () => {
    const h = withCspHeader({ 'content-security-policy': ['x'], 'Content-Type': 'text/html' }, CSP);
    expect(h).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CSP] });
  });
});

describe('navigation, new windows, webviews and permissions', () => {
  it('blocks every navigation, redirect and webview, denies every new window', () => {
    const logs: string[] = [];
    const f = fakeContents();
    applySecurity(f.contents, (m) => logs.push(m));
    expect(f.fire('will-navigate')).toBe(true);
    expect(f.fire('will-navigate', APP_ENTRY_URL)).toBe(true); // even our own origin: the app is one page
    expect(f.fire('will-redirect')).toBe(true);
    expect(f.fire('will-attach-webview')).toBe(true);
    expect(f.open('https://evil.example/')).toEqual({ action: 'deny' });
    expect(f.open(APP_ENTRY_URL)).toEqual({ action: 'deny' });
    expect(logs.length).toBeGreaterThanOrEqual(6);
  });
  it('denies every permission request and check', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null;
    let check: ((wc: unknown, p: string) => boolean) | null = null;
    applySessionSecurity({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
    });
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fileSystem']) {
      let granted: boolean | null = null;
      request!(null, p, (g) => (granted = g));
      expect(granted).toBe(false);
      expect(check!(null, p)).toBe(false);
    }
  });
});

describe('origin checks', () => {
  it('trusts only frames showing lab://app (or the dev server in development)', () => {
    expect(isTrustedSender({ url: 'lab://app/index.html' })).toBe(true);
    expect(isTrustedSender({ url: 'lab://app/index.html#/run' })).toBe(true);
    for (const url of [
      'lab://evil/index.html',
      'file:///etc/passwd',
      'https://evil.example/',
      'about:blank',
      'data:text/html,x',
      '',
      'not a url',
      'http://localhost:5173/',
    ]) {
      expect(isTrustedSender({ url }), url).toBe(false);
    }
    expect(isTrustedSender(null)).toBe(false);
    expect(isTrustedSender({ url: 'http://localhost:5173/index.html' }, 'http://localhost:5173')).toBe(true);
    expect(isTrustedSender({ url: 'http://localhost:5174/' }, 'http://localhost:5173')).toBe(false);
    expect(isAppUrl('lab://app.evil/')).toBe(false);
  });
});

describe('lab:// protocol', () => {
  const dir = '/opt/lab/renderer';
  it('maps URLs inside the renderer folder only', () => {
    expect(resolveAppPath('lab://app/', dir)).toBe('/opt/lab/renderer/index.html');
    expect(resolveAppPath('lab://app/assets/a.js?x=1', dir)).toBe('/opt/lab/renderer/assets/a.js');
    expect(resolveAppPath('lab://app/../../etc/passwd', dir)).toBe('/opt/lab/renderer/etc/passwd'); // URL parsing normalises
    expect(resolveAppPath('lab://app/%2e%2e/%2e%2e/etc/passwd', dir)).toBe('/opt/lab/renderer/etc/passwd');
    expect(resolveAppPath('lab://app/..%2f..%2fetc%2fpasswd', dir)).toBeNull();
    expect(resolveAppPath('lab://other/index.html', dir)).toBeNull();
    expect(resolveAppPath('file:///etc/passwd', dir)).toBeNull();
    expect(resolveAppPath('lab://app/%E0%A4%A', dir)).toBeNull();
  });
  it('serves files with the CSP header and a content type; 403/404 otherwise', async () => {
    const read = async (p: string) => {
      if (p === '/opt/lab/renderer/index.html') return new TextEncoder().encode('<!doctype html>');
      throw Object.assign(new Error('nope'), { code: 'ENOENT' });
    };
    const ok = await serveAppRequest('lab://app/index.html', dir, read);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CSP);
    expect(ok.headers.get('content-type')).toMatch(/text\/html/);
    expect(await ok.text()).toBe('<!doctype html>');
    const missing = await serveAppRequest('lab://app/nope.js', dir, read);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-security-policy')).toBe(CSP);
    expect((await serveAppRequest('lab://app/..%2fx', dir, read)).status).toBe(403);
  });
});
