export * from '../dist/cjs/helium_sdk.js';

/** Resolves at once: the CommonJS entry loads the WebAssembly module on require. */
export declare function init(options?: unknown): Promise<void>;

/** Always true on the CommonJS entry. */
export declare function isReady(): boolean;
