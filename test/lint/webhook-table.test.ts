// `npm run generate` refuses a contract whose event names disagree: a webhook's key, its body's
// `type` constant and the WebhookEventType enum endpoints subscribe with are one list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operationTableModule } from '../../scripts/generate/operation-table.js';

type Schema = { enum: string[]; properties: { type: { const: string } } };
type Doc = Record<string, unknown> & { components: { schemas: Record<string, Schema> } };
const contract = (): Doc => JSON.parse(readFileSync('generated/openapi.json', 'utf8')) as Doc;

describe('the webhooks of the operation table', () => {
  it('lists every event with its body schema', () => {
    expect(operationTableModule(contract())).toContain('"connection_action.resolved": {');
  });

  it("refuses a body whose type is not its webhook's name", () => {
    const doc = contract();
    const event = doc.components.schemas.ConnectionActionResolvedEvent as Schema;
    event.properties.type.const = 'connection_action.done';
    expect(() => operationTableModule(doc)).toThrow("its body's type must be the constant connection_action.resolved");
  });

  it('refuses an event type that endpoints cannot subscribe to', () => {
    const doc = contract();
    (doc.components.schemas.WebhookEventType as Schema).enum.pop();
    expect(() => operationTableModule(doc)).toThrow('WebhookEventType must list the webhooks');
  });
});
