/**
 * The stage-2 table operations' error returns (pgtableBase.ts re-exports them), in a module that imports
 * nothing so that the Node bundles (scripts/workers.mjs, minifySyntax) inline them.
 */
export const EAGAIN = -11;
export const ENOMEM = -12;
