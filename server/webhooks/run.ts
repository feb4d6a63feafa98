// The dispatcher as part of a process (`npm start`, `npm run worker`): real HTTP, woken by the
// database's notifications, stopped with the process.
import type { WebhookConfig } from '../config.js';
import { blockListOf } from '../domain/webhook-addresses.js';
import { resolveByDns, type WebhookPolicy } from '../domain/webhook-urls.js';
import type { Store } from '../store/database.js';
import { releaseClaims } from '../store/webhook-deliveries.js';
import { DELIVERIES_CHANNEL } from '../store/webhook-outbox.js';
import { createDispatcher } from './dispatcher.js';
import { httpSender } from './http-sender.js';

export async function startDispatcher(
  store: Store,
  config: Pick<WebhookConfig, 'allowedNetworks'>,
  log: (line: Record<string, unknown>) => void,
): Promise<{ stop(): Promise<void> }> {
  // One process holds the embedded database: a claim left in it is one of a process that died.
  if (store.kind === 'pglite') await releaseClaims(store.db);
  const dispatcher = createDispatcher({ db: store.db, send: httpSender(blockListOf(config.allowedNetworks)), log });
  const unlisten = await store.listen(DELIVERIES_CHANNEL, () => dispatcher.wake());
  dispatcher.start();
  return {
    async stop() {
      await unlisten();
      await dispatcher.stop();
    },
  };
}

/** The registration rule of this configuration: the same allowed networks as the dispatcher's. */
export function webhookPolicyOf(config: Pick<WebhookConfig, 'allowedNetworks'>): WebhookPolicy {
  return { allowedNetworks: blockListOf(config.allowedNetworks), resolve: resolveByDns };
}
