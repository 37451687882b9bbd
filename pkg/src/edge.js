// Edge entry: Next.js middleware and `runtime = 'edge'` route handlers (`edge-light`), Cloudflare Workers
// (`workerd`). These runtimes refuse to compile wasm from bytes; they instantiate a `WebAssembly.Module` that
// was imported as one, which is what the `?module` import gives (Next.js' webpack and Turbopack, wrangler).
// There is no window here, so the runtime is `server`. Next.js exposes to edge code only the variables the
// bundle names literally, so they are named in env.js and handed over; in a Worker (no `process.env`) pass
// `env` or the values explicitly.
import wasmModule from '../dist/web/helium_sdk_bg.wasm?module';
import * as glue from '../dist/web/helium_sdk.js';
import { edgeServerEnv } from './env.js';
import { start } from './start.js';
import { withEnv } from './wrap.js';

start(glue, wasmModule);

export * from '../dist/web/helium_sdk.js';
export { init, default, isReady } from './start.js';
export const { HeliumClient, detectRuntime, resolveBackendUrl, loadSupabaseConfig, diagnoseConfig, supabaseClientConfig } =
  withEnv(glue, edgeServerEnv);
