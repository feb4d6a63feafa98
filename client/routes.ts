/** Operations with `security: []` in the contract: no bearer token, no organization headers. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/oauth2/token', '/healthz', '/readyz']);

/** Probes have their own `servers` entry in the contract: the root of the origin, outside `/v1`. */
export const PROBE_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

export function isSecured(schemaPath: string): boolean {
  return !PUBLIC_PATHS.has(schemaPath);
}
