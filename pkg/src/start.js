// What the entries that load the module synchronously share (Node ESM, edge runtimes, Cloudflare Workers): the
// module is instantiated when the entry is imported, so `init()` resolves at once and every function is ready.
import { installOperations } from './operations.js';

/** Instantiates the wasm from a `WebAssembly.Module` or its bytes (no compile step on edge runtimes when a
 * Module is given) with the entry's glue (the browser build's for edge runtimes, the speed build's for Node) and
 * gives HeliumClient its operation methods. */
export function start(glue, module) {
  // A Module compiled in another realm (Next.js' edge sandbox compiles the wasm outside the context the code
  // runs in) fails the glue's `instanceof WebAssembly.Module` and would be taken for bytes; give it this realm's
  // prototype (the object, and what it is, stay the same).
  if (
    typeof WebAssembly !== 'undefined' &&
    !(module instanceof WebAssembly.Module) &&
    Object.prototype.toString.call(module) === '[object WebAssembly.Module]'
  ) {
    Object.setPrototypeOf(module, WebAssembly.Module.prototype);
  }
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
