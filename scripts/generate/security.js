// What an operation's security means here, shared by the generator of the operation table
// (operation-table.ts) and the lint plugin (redocly/connections.js), so the two agree. Plain
// JavaScript, because Redocly loads the plugin without a TypeScript loader.

/**
 * Whether an operation needs the API's bearer token: its effective security (its own, else
 * the document's) is non-empty and every alternative names a scheme of the document's root
 * `security`. `security: []`, an anonymous `{}` alternative, or only schemes of its own (the
 * metrics token) do not: such an operation gets no token or organization-header checks.
 */
export function needsApiToken(operationSecurity, rootSecurity) {
  const security = operationSecurity ?? rootSecurity;
  const apiSchemes = new Set(
    (Array.isArray(rootSecurity) ? rootSecurity : []).flatMap((requirement) => Object.keys(requirement ?? {})),
  );
  return (
    Array.isArray(security) &&
    security.length > 0 &&
    security.every((requirement) => Object.keys(requirement ?? {}).some((scheme) => apiSchemes.has(scheme)))
  );
}
