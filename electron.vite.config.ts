/**
 * electron-vite build of the desktop app (output dirs are electron-vite's defaults, so `--outDir` works): out/main (ESM, package.json "type": "module"), out/preload
 * (CommonJS: sandboxed preloads cannot be ES modules), out/renderer (the Svelte UI, served to the window
 * from lab://app/ by main/appProtocol.ts).
 *
 * Owners: main + preload sections — main-process engineer; renderer section — renderer engineer.
 * No COOP/COEP here: in Electron the engine runs in main's worker_threads, the renderer needs no
 * SharedArrayBuffer (the browser edition's vite.web.config.ts sends them).
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };
const appVersion = { __APP_VERSION__: JSON.stringify(pkg.version) };

export default defineConfig({
  main: {
    define: appVersion,
    build: {
      // msgpackr is bundled in (no node_modules needed next to the bundle; the boot test relies on it).
      externalizeDeps: false,
      lib: { entry: `${root}main/index.ts` },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: `${root}main/preload/index.ts` },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: `${root}renderer`,
    base: './',
    define: appVersion,
    plugins: [svelte({ configFile: false })],
    build: {
      rolldownOptions: { input: `${root}renderer/index.html` },
    },
  },
});
