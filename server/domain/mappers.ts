// What the domain says about time, and the one object not read through a view of
// server/store/views.ts (an organization, read by the admin tools as a row too).
import type { components } from '../../generated/openapi.js';
import type { Organization } from '../store/schema.js';

/** RFC 3339 in UTC with `Z` (with milliseconds, which RFC 3339 allows), as the views make it. */
export function timestamp(value: Date): string {
  return value.toISOString();
}

/** Whether an invitation expiring at `expiredAt` has expired at `now` (the views' `expired` says the same). */
export function isExpired(expiredAt: Date, now: Date): boolean {
  return now.getTime() >= expiredAt.getTime();
}

export function toOrganization(row: Organization): components['schemas']['Organization'] {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    owner_email: row.owner_email,
    created_at: timestamp(row.created_at),
  };
}
