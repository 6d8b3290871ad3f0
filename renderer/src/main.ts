/** Renderer entry for the Electron edition: the preload has exposed window.labApi. */
import { mountApp } from './mount.ts';

mountApp(document.getElementById('app')!);
