// Browser (and bundler default) entry: the wasm-bindgen `web` glue, initialised on import from the `.wasm`
// file the bundler emits (`new URL(…, import.meta.url)`), with the inlined NEXT_PUBLIC_* values handed to the
// configuration functions.
import __wbg_init, * as glue from '../dist/web/helium_sdk.js';
import { publicEnv } from './env.js';
import { installOperations } from './operations.js';

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

/** The options with the bundler-inlined public env added, for code that runs as a client. */
function withPublicEnv(options) {
  if (options && options.env) return options;
  const runtime = (options && options.runtime) || glue.detectRuntime();
  // Server runtimes (no window: Node, edge) read process.env themselves.
  if (runtime !== 'client') return options;
  return { ...(options || {}), env: publicEnv() };
}

export function detectRuntime() {
  assertReady('detectRuntime');
  return glue.detectRuntime();
}

export function resolveBackendUrl(options) {
  assertReady('resolveBackendUrl');
  return glue.resolveBackendUrl(withPublicEnv(options));
}

export function loadSupabaseConfig(options) {
  assertReady('loadSupabaseConfig');
  return glue.loadSupabaseConfig(withPublicEnv(options));
}

export function diagnoseConfig(options) {
  assertReady('diagnoseConfig');
  return glue.diagnoseConfig(withPublicEnv(options));
}

export function supabaseClientConfig(options) {
  assertReady('supabaseClientConfig');
  return glue.supabaseClientConfig(withPublicEnv(options));
}

export class HeliumClient extends glue.HeliumClient {
  constructor(options) {
    assertReady('new HeliumClient');
    super(withPublicEnv(options));
  }

  static fromEnv(overrides) {
    assertReady('HeliumClient.fromEnv');
    const client = glue.HeliumClient.fromEnv(withPublicEnv(overrides));
    Object.setPrototypeOf(client, HeliumClient.prototype);
    return client;
  }
}
