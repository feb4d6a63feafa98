import type { Middleware } from 'openapi-fetch';
import { HEADERS, isSecured } from './routes.js';

export interface OrganizationIds {
  requesterOrganizationId: string;
  /** The organization whose resources a call reads or changes unless the call names another. */
  targetOrganizationId: string;
}

/** Fills `Requester-Organization-ID` and `Target-Organization-ID` on secured calls; a header the call set itself wins. */
export function organizationHeaders(ids: OrganizationIds): Middleware {
  return {
    onRequest({ request, schemaPath }) {
      if (!isSecured(request.method, schemaPath)) return undefined;
      for (const [header, id] of [
        [HEADERS.requesterOrganizationId, ids.requesterOrganizationId],
        [HEADERS.targetOrganizationId, ids.targetOrganizationId],
      ] as const) {
        if (!request.headers.has(header)) request.headers.set(header, id);
      }
      return request;
    },
  };
}
