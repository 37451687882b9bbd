// Node / server entry (ESM): the same glue as the browser entry, instantiated synchronously on import, so that
// it works unchanged when a bundler (Next.js, Turbopack or webpack) bundles server code, with no
// configuration. On a server the wasm reads process.env itself.
import wasmBase64 from '../dist/node/wasm_inline.cjs';
import { start } from './start.js';

start(
  typeof Buffer !== 'undefined'
    ? Buffer.from(wasmBase64, 'base64')
    : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0)),
);

export * from '../dist/web/helium_sdk.js';
export { init, default, isReady } from './start.js';
