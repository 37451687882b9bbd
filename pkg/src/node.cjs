'use strict';
// Node / server entry (CommonJS): the wasm-bindgen `nodejs` glue, which loads the wasm synchronously on require.
const glue = require('../dist/cjs/helium_sdk.js');

module.exports = {
  ...glue,
  /** Already initialised on require; kept so that `await init()` works on every entry. */
  init: () => Promise.resolve(),
  /** Always true on the server entry. */
  isReady: () => true,
};
