// Environment values that bundlers only provide when the code names them literally.
//
// Browser bundles: Next.js replaces `process.env.NEXT_PUBLIC_…` at build time only when written literally, so
// each public name is spelled out; secret names are never read here, so they cannot end up in a client bundle.
// Edge bundles (Next.js middleware and edge route handlers): `process.env` holds only the variables the bundle
// names literally, so the server names are spelled out too. The guards keep this working where no `process`
// exists (plain browsers, workers, Cloudflare Workers without nodejs_compat).
const hasEnv = typeof process !== 'undefined' && !!process.env;

export function publicEnv() {
  return {
    NEXT_PUBLIC_BACKEND_URL: hasEnv ? process.env.NEXT_PUBLIC_BACKEND_URL : undefined,
    NEXT_PUBLIC_SUPABASE_URL: hasEnv ? process.env.NEXT_PUBLIC_SUPABASE_URL : undefined,
    NEXT_PUBLIC_SUPABASE_ANON_KEY: hasEnv ? process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY : undefined,
    NEXT_PUBLIC_ENV_MODE: hasEnv ? process.env.NEXT_PUBLIC_ENV_MODE : undefined,
  };
}

/** Every variable the SDK reads on a server, or undefined where there is no `process.env`. */
export function edgeServerEnv() {
  if (!hasEnv) return undefined;
  return {
    ...publicEnv(),
    BACKEND_INTERNAL_URL: process.env.BACKEND_INTERNAL_URL,
    ENV_MODE: process.env.ENV_MODE,
    HELIUM_API_KEY: process.env.HELIUM_API_KEY,
    HELIUM_ACCESS_TOKEN: process.env.HELIUM_ACCESS_TOKEN,
    SUPABASE_URL: process.env.SUPABASE_URL,
    SUPABASE_ANON_KEY: process.env.SUPABASE_ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: process.env.SUPABASE_SERVICE_ROLE_KEY,
  };
}
