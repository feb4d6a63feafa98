import type { Middleware } from 'openapi-fetch';
import { isSecured } from './routes.js';

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
      if (!request.headers.has('Requester-Organization-ID')) request.headers.set('Requester-Organization-ID', ids.requesterOrganizationId);
      if (!request.headers.has('Target-Organization-ID')) request.headers.set('Target-Organization-ID', ids.targetOrganizationId);
      return request;
    },
  };
}
