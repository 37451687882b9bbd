// The configuration functions and HeliumClient of an entry whose runtime hides part of the environment from the
// wasm (browsers: build-time inlined values; edge runtimes: only literally named variables): the same functions,
// with `env` filled in from `envFor(options)` when the caller gives none.
export function withEnv(glue, envFor, assertReady = () => {}) {
  const add = (options) => {
    if (options && options.env) return options;
    const env = envFor(options);
    return env ? { ...(options || {}), env } : options;
  };
  const configFunction = (name) => (options) => {
    assertReady(name);
    return glue[name](add(options));
  };
  class HeliumClient extends glue.HeliumClient {
    constructor(options) {
      assertReady('new HeliumClient');
      super(add(options));
    }

    static fromEnv(overrides) {
      assertReady('HeliumClient.fromEnv');
      const client = glue.HeliumClient.fromEnv(add(overrides));
      Object.setPrototypeOf(client, HeliumClient.prototype);
      return client;
    }
  }
  return {
    HeliumClient,
    detectRuntime() {
      assertReady('detectRuntime');
      return glue.detectRuntime();
    },
    resolveBackendUrl: configFunction('resolveBackendUrl'),
    loadSupabaseConfig: configFunction('loadSupabaseConfig'),
    diagnoseConfig: configFunction('diagnoseConfig'),
    supabaseClientConfig: configFunction('supabaseClientConfig'),
  };
}
