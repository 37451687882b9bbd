// Browser (and bundler default) entry: the wasm-bindgen `web` glue, initialised on import from the `.wasm`
// file the bundler emits (`new URL(…, import.meta.url)`), with the inlined NEXT_PUBLIC_* values handed to the
// configuration functions.
import __wbg_init, * as glue from '../dist/web/helium_sdk.js';
import { publicEnv } from './env.js';
import { installOperations } from './operations.js';
import { withEnv } from './wrap.js';

export * from '../dist/web/helium_sdk.js';

let initPromise;
let ready = false;

/**
 * Loads the WebAssembly module. Idempotent and safe to call concurrently: every call returns the same promise.
 * The module starts loading when this file is imported; `await init()` waits for it.
 */
export function init(options) {
  if (!initPromise) {
    const input = options ?? { module_or_path: new URL('../dist/web/helium_sdk_bg.wasm', import.meta.url) };
    initPromise = __wbg_init(input).then(
      () => {
        installOperations(glue);
        ready = true;
      },
      (error) => {
        initPromise = undefined;
        throw error;
      },
    );
  }
  return initPromise;
}
export default init;

/** Instantiates the module synchronously from bytes or a `WebAssembly.Module` you already have. */
export function initSync(module) {
  const output = glue.initSync(module);
  installOperations(glue);
  ready = true;
  initPromise = initPromise ?? Promise.resolve();
  return output;
}

/** True once `init()` has finished. */
export function isReady() {
  return ready;
}

// Start loading at once, so that most callers never wait. A failure here is reported by the next `init()` or
// by the first call.
init().catch(() => {});

function notReady(name) {
  const error = new Error(
    `@helium-ai/sdk: ${name}() was called before the WebAssembly module finished loading; call \`await init()\` first`,
  );
  error.name = 'HeliumError';
  error.kind = 'not_initialized';
  return error;
}

function assertReady(name) {
  if (!ready) throw notReady(name);
}

// Code that runs as a client gets the bundler-inlined public values; server runtimes (no window: Node, edge)
// read process.env themselves.
const api = withEnv(
  glue,
  (options) => ((options && options.runtime) || glue.detectRuntime()) === 'client' ? publicEnv() : undefined,
  assertReady,
);
export const { HeliumClient, detectRuntime, resolveBackendUrl, loadSupabaseConfig, diagnoseConfig, supabaseClientConfig } = api;
