// The example response of the original reference page of POST /host-connections (copied
// verbatim into test/fixtures/seed-host-connection.json) is binding: it must be a valid HostConnection as the contract
// defines it, and every one of its fields must be one the contract requires.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { contractValidators } from '../../conformance/check.js';

const seed = JSON.parse(
  readFileSync(new URL('../fixtures/seed-host-connection.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
const asCreated = (body: unknown) =>
  contractValidators().response('createHostConnection', {
    status: 201,
    mediaType: 'application/json',
    body,
    headers: {
      location: `/v1/host-connections/${String((body as { host_organization_id?: unknown }).host_organization_id)}`,
    },
  });

describe('the seed example of POST /host-connections', () => {
  test('validates against the HostConnection schema of the 201 response', () => {
    expect(asCreated(seed)).toEqual([]);
  });

  test.each(Object.keys(seed))('is refused without %s (every field is always present)', (field) => {
    const { [field]: _dropped, ...rest } = seed;
    expect(asCreated(rest)).not.toEqual([]);
  });
});
