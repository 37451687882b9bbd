// What the entries that load the module synchronously share (Node ESM, edge runtimes, Cloudflare Workers): the
// module is instantiated when the entry is imported, so `init()` resolves at once and every function is ready.
import * as glue from '../dist/web/helium_sdk.js';
import { installOperations } from './operations.js';

/** Instantiates the wasm from a `WebAssembly.Module` or its bytes (no compile step on edge runtimes when a
 * Module is given) and gives HeliumClient its operation methods. */
export function start(module) {
  glue.initSync({ module });
  installOperations(glue);
}

/** Already initialised on import; kept so that `await init()` works on every entry. */
export function init() {
  return Promise.resolve();
}
export default init;

/** Always true on this entry. */
export function isReady() {
  return true;
}
