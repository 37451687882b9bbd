// The public, build-time values a bundler inlines into browser code. Next.js replaces
// `process.env.NEXT_PUBLIC_…` only when written literally, so each name is spelled out; the guard keeps this
// working where no `process` exists (plain browsers, workers). Secret names are deliberately never read here,
// so they cannot end up in a client bundle.
export function publicEnv() {
  return {
    NEXT_PUBLIC_BACKEND_URL:
      typeof process !== 'undefined' && process.env ? process.env.NEXT_PUBLIC_BACKEND_URL : undefined,
    NEXT_PUBLIC_SUPABASE_URL:
      typeof process !== 'undefined' && process.env ? process.env.NEXT_PUBLIC_SUPABASE_URL : undefined,
    NEXT_PUBLIC_SUPABASE_ANON_KEY:
      typeof process !== 'undefined' && process.env ? process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY : undefined,
    NEXT_PUBLIC_ENV_MODE:
      typeof process !== 'undefined' && process.env ? process.env.NEXT_PUBLIC_ENV_MODE : undefined,
  };
}
