// The SDK rejects with `Error`s named "HeliumError" that carry `kind`, `status` and `detail`.
export interface HeliumErrorShape {
  name: string;
  message: string;
  kind?: string;
  status?: number;
  detail?: unknown;
}

export function isHeliumError(error: unknown): error is HeliumErrorShape {
  return error instanceof Error && error.name === 'HeliumError';
}

/** The error's `kind` ("network", "unauthorized", "config", …), or "unknown" for anything else. */
export function errorKind(error: unknown): string {
  return isHeliumError(error) && typeof error.kind === 'string' ? error.kind : 'unknown';
}
