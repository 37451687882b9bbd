export * from '../dist/web/helium_sdk.js';

/**
 * Loads the WebAssembly module (browser entry) or resolves at once (server entries, which load it on import).
 * Idempotent and safe to call concurrently. Synchronous calls made before it finishes throw a `HeliumError`
 * with `kind: "not_initialized"`.
 */
export declare function init(options?: unknown): Promise<void>;
export default init;

/** True once the WebAssembly module is loaded. */
export declare function isReady(): boolean;
