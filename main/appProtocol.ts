/**
 * Serving the renderer from the privileged `lab://app/` scheme instead of file:// (Electron security
 * checklist: file:// pages may read every local file). Each response carries the CSP header, so the
 * policy holds even if index.html forgets its meta tag.
 *
 * Pure: serveAppRequest(url, rendererDir, readFile) -> Response (Node 20 has the Fetch API), so tests
 * drive it without Electron; index.ts passes it to protocol.handle.
 */
import path from 'node:path';
import { APP_HOST, APP_SCHEME, CSP } from './security.ts';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

/** The file a lab://app URL names inside rendererDir, or null (wrong origin, escape attempt). */
export function resolveAppPath(url: string, rendererDir: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  if (rel.includes('\0')) return null;
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, '.' + rel);
  // `..` segments are normalised away by URL parsing, encoded ones are caught here.
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  return file;
}

export async function serveAppRequest(
  url: string,
  rendererDir: string,
  readFile: (p: string) => Promise<Uint8Array>,
): Promise<Response> {
  const headers = {
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
  const file = resolveAppPath(url, rendererDir);
  if (file === null) return new Response('forbidden', { status: 403, headers });
  try {
    const body = await readFile(file);
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    return new Response(body as Uint8Array<ArrayBuffer>, {
      status: 200,
      headers: { ...headers, 'Content-Type': type },
    });
  } catch {
    return new Response('not found', { status: 404, headers });
  }
}

/** For http(s) responses (the dev server): add the CSP to onHeadersReceived's response headers. */
export function withCspHeader(
  headers: Record<string, string[] | string> | undefined,
  csp: string,
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (k.toLowerCase() !== 'content-security-policy') out[k] = Array.isArray(v) ? v : [v];
  }
  out['Content-Security-Policy'] = [csp];
  return out;
}
