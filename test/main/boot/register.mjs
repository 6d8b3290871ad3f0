// `node --import ./register.mjs`: install hooks.mjs before the app's modules load.
import { register } from 'node:module';
register(new URL('./hooks.mjs', import.meta.url).href);
