/**
 * Browser edition composition root: builds the LabApi (engine in Web Workers, presets from the Vite
 * loader, sessions as downloads), sets window.labApi, then mounts the renderer.
 */
import { createBrowserLabApi } from './labApi.ts';
import { engineDeps } from './engine.ts';

const startupErrors: { title: string; message: string }[] = [];
if (!globalThis.crossOriginIsolated) {
  startupErrors.push({
    title: 'SharedArrayBuffer is unavailable',
    message:
      'This page is not cross-origin isolated (crossOriginIsolated is false), so the simulator cannot run. ' +
      'Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp — `npm run web` does.',
  });
}

window.labApi = createBrowserLabApi({
  ...engineDeps(),
  promptFileName: (suggested) => window.prompt('Save session as', suggested),
});

const { mountApp } = await import('../renderer/src/mount.ts');
mountApp(document.getElementById('app')!, { startupErrors });
