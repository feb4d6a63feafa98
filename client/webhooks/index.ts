// `connections-api-client/webhooks`: a receiver checks an event before it trusts it, in one
// call. Its own entry, so that the plain client installs without what this needs
// (`standardwebhooks`, `ajv`, `ajv-formats`: optional peer dependencies of the package).
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { webhooks } from '../../generated/openapi.js';
import { schemas, webhooks as events } from '../../generated/operations.js';

type Events = { [Type in keyof webhooks]: NonNullable<webhooks[Type]['post']> };
/** Any event of the contract's `webhooks`; narrow it on `type`. */
export type WebhookEvent = {
  [Type in keyof Events]: Events[Type]['requestBody']['content']['application/json'];
}[keyof Events];
export type WebhookEventType = WebhookEvent['type'];

/** Why an event was refused: a bad signature, a timestamp more than 5 minutes off, an unknown type or a body the contract refuses. */
export class WebhookRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookRejected';
  }
}

const ROOT = 'https://connections.example.com/openapi.json';
let validators: Map<string, ValidateFunction> | undefined;

/** One validator per event type, compiled from the contract on first use. */
function validatorOf(type: string): ValidateFunction | undefined {
  if (validators === undefined) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    ajv.addFormat('uuid', new RegExp(schemas.Uuid.pattern));
    ajv.addSchema({ $id: ROOT, components: { schemas } });
    validators = new Map(
      Object.entries(events).map(([name, event]) => [name, ajv.compile({ $ref: `${ROOT}${event.schema.$ref}` })]),
    );
  }
  return validators.get(type);
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string {
  const value = headers instanceof Headers ? headers.get(name) : (headers[name] ?? headers[name.toLowerCase()]);
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/**
 * Checks a webhook as received: `body` is the raw request body (text, exactly as sent),
 * `headers` its headers (a `Headers`, or Node's `IncomingHttpHeaders`), `secret` the endpoint's
 * `whsec_…` secret, or several while you rotate. Returns the typed event, or throws `WebhookRejected`.
 */
export function verifyWebhook(body: string, headers: HeaderBag, secret: string | string[]): WebhookEvent {
  const signed = {
    'webhook-id': header(headers, 'webhook-id'),
    'webhook-timestamp': header(headers, 'webhook-timestamp'),
    'webhook-signature': header(headers, 'webhook-signature'),
  };
  const secrets = Array.isArray(secret) ? secret : [secret];
  let refusal = 'no secret given';
  const verified = secrets.some((candidate) => {
    try {
      // Checks the signature and that the timestamp is within 5 minutes of now.
      new Webhook(candidate).verify(body, signed);
      return true;
    } catch (error) {
      refusal = error instanceof WebhookVerificationError || error instanceof Error ? error.message : String(error);
      return false;
    }
  });
  if (!verified) throw new WebhookRejected(`webhook refused: ${refusal}`);
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch {
    throw new WebhookRejected('webhook refused: the body is not JSON');
  }
  const type = typeof event === 'object' && event !== null && 'type' in event ? String(event.type) : '';
  const validate = validatorOf(type);
  if (validate === undefined) throw new WebhookRejected(`webhook refused: unknown event type "${type}"`);
  if (!validate(event)) {
    const [first] = validate.errors ?? [];
    throw new WebhookRejected(
      `webhook refused: the body is not a valid ${type} event (${first?.instancePath} ${first?.message})`,
    );
  }
  return event as WebhookEvent;
}
