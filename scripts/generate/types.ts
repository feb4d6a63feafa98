// generated/openapi.d.ts: the contract's types, by openapi-typescript (as its CLI with --root-types).
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

export async function generateTypes(contractUrl: URL): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(contractUrl, { rootTypes: true, silent: true }))}`;
}
