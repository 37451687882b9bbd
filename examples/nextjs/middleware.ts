// Middleware (Edge runtime): the package's `edge-light` entry, whose wasm is imported as a WebAssembly.Module.
// It resolves the backend URL the way server code does (BACKEND_INTERNAL_URL first) and checks the
// configuration before any page or route runs; a broken configuration answers 500 with the diagnosis instead of
// failing later in every handler.
import { NextResponse, type NextRequest } from 'next/server';
import { diagnoseConfig, resolveBackendUrl } from '@helium-ai/sdk';
import { errorKind } from './app/errors';

export function middleware(_request: NextRequest) {
  const diagnosis = diagnoseConfig();
  if (!diagnosis.ok) {
    // Codes, variable names and fixes only: a diagnosis never contains a variable's value.
    const problems = diagnosis.problems.filter((p) => p.severity === 'error');
    return Response.json({ kind: 'config', problems }, { status: 500 });
  }
  const response = NextResponse.next();
  try {
    const resolved = resolveBackendUrl();
    response.headers.set('x-helium-runtime', resolved.runtime);
    response.headers.set('x-helium-backend-source', resolved.source);
  } catch (error) {
    response.headers.set('x-helium-backend-source', `error: ${errorKind(error)}`);
  }
  return response;
}

export const config = { matcher: ['/', '/api/:path*'] };
