// electron-vite's module declarations (?nodeWorker, ?asset, import.meta.env) for main and preload.
/// <reference types="electron-vite/node" />
