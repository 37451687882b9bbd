// Node / server entry (ESM): the same glue as the browser entry, instantiated synchronously on import from the
// wasm bytes inlined in JavaScript, so that it works unchanged when a bundler (Next.js, Turbopack or webpack)
// bundles server code, with no configuration. On a server the wasm reads process.env itself.
import * as glue from '../dist/web/helium_sdk.js';
import wasmBase64 from '../dist/node/wasm_inline.js';
import { installOperations } from './operations.js';

const bytes =
  typeof Buffer !== 'undefined'
    ? Buffer.from(wasmBase64, 'base64')
    : Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
glue.initSync({ module: bytes });
installOperations(glue);

export * from '../dist/web/helium_sdk.js';

/** Already initialised on import; kept so that `await init()` works on every entry. */
export function init() {
  return Promise.resolve();
}
export default init;

/** Always true on the server entry. */
export function isReady() {
  return true;
}
