/** See security.js. */
export function needsApiToken(operationSecurity: unknown, rootSecurity: unknown): boolean;
