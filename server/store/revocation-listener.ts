// The LISTEN loops of a PostgreSQL store: revocations (and wake-ups of the webhook dispatcher)
// reach every process, whatever connection made them.
import pg from 'pg';
import { REVOCATION_CHANNEL, type ActiveClients } from './active-clients.js';

/** What a LISTEN loop tells: each notification's payload, and whether it is listening right now. */
export type ChannelHandlers = { notified(payload: string): void; listening(on: boolean): void };

/** Revocations reach the process's active-client cache. */
export function listenForRevocations(
  connectionString: string,
  activeClients: ActiveClients,
): { stop(): Promise<void> } {
  return listenFor(connectionString, REVOCATION_CHANNEL, {
    notified: (clientId) => activeClients.revoked(clientId),
    listening: (on) => activeClients.listening(on),
  });
}

const RELISTEN_DELAY_MS = 1000;

/** A connection of its own that LISTENs on `channel`, and reconnects whenever it is lost. */
export function listenFor(
  connectionString: string,
  channel: string,
  handlers: ChannelHandlers,
): { stop(): Promise<void> } {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const lost = (current: pg.Client) => {
    if (client !== current) return;
    client = undefined;
    handlers.listening(false);
    void current.end().catch(() => {});
    if (!stopped) retry = setTimeout(connect, RELISTEN_DELAY_MS);
  };
  const connect = () => {
    const current = new pg.Client({ connectionString, keepAlive: true });
    client = current;
    current.on('error', () => lost(current));
    current.on('end', () => lost(current));
    current.on('notification', (message) => handlers.notified(message.payload ?? ''));
    current
      .connect()
      .then(() => current.query(`listen ${channel}`))
      .then(() => {
        if (client === current && !stopped) handlers.listening(true);
      })
      .catch(() => lost(current));
  };
  connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      handlers.listening(false);
      await current?.end().catch(() => {});
    },
  };
}
