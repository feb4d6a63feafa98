// The client ships to browsers as well as Node: it may import only openapi-fetch, its own files
// and what is generated from the contract (types and the operation table), and touch no
// Node-only global.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const clientDir = new URL('../../client/', import.meta.url);
const files = readdirSync(clientDir).filter((name) => name.endsWith('.ts'));

describe.each(files)('client/%s', (name) => {
  const source = readFileSync(new URL(name, clientDir), 'utf8');

  test('imports only openapi-fetch, sibling files and the generated contract', () => {
    const specifiers = [...source.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]);
    for (const specifier of specifiers)
      expect(specifier).toMatch(/^(openapi-fetch|\.\/[\w-]+\.js|\.\.\/generated\/(openapi|operations)\.js)$/);
  });

  test('uses no Node-only global', () => {
    expect(source).not.toMatch(/\bprocess\.|\bBuffer\b|\brequire\(|__dirname|'node:/);
  });
});
