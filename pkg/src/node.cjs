'use strict';
// Node / server entry (CommonJS): the wasm-bindgen `nodejs` glue, which loads the wasm synchronously on require.
const glue = require('../dist/cjs/helium_sdk.js');

// One method per backend operation (the lines of operations.js, for CommonJS).
const define = (p, name) => Object.defineProperty(p, name, { value: { [name](...a) { return this._call(name, a); } }[name], writable: true, configurable: true });
for (const name of glue.operationNames()) if (!Object.hasOwn(glue.HeliumClient.prototype, name)) define(glue.HeliumClient.prototype, name);

module.exports = {
  ...glue,
  /** Already initialised on require; kept so that `await init()` works on every entry. */
  init: () => Promise.resolve(),
  /** Always true on the server entry. */
  isReady: () => true,
};
