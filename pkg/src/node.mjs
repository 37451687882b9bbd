// Node / server entry (ESM): the web glue of the speed build (dist/node: the same exports as the browser's, the
// wasm compiled for speed), instantiated synchronously on import from base64 bytes, so that it works unchanged
// when a bundler (Next.js, Turbopack or webpack) bundles server code, with no configuration. On a server the
// wasm reads process.env itself.
import wasmBase64 from '../dist/node/wasm_inline.cjs';
import * as glue from '../dist/node/helium_sdk.js';
import { start } from './start.js';

start(
  glue,
  typeof Buffer !== 'undefined'
    ? Buffer.from(wasmBase64, 'base64')
    : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0)),
);

export * from '../dist/node/helium_sdk.js';
export { init, default, isReady } from './start.js';
