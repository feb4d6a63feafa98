// The LISTEN loop of a PostgreSQL store: revocations reach every process, whatever connection made them.
import pg from 'pg';
import { REVOCATION_CHANNEL, type ActiveClients } from './active-clients.js';

const RELISTEN_DELAY_MS = 1000;

/** A connection of its own that LISTENs for revocations, and reconnects whenever it is lost. */
export function listenForRevocations(
  connectionString: string,
  activeClients: ActiveClients,
): { stop(): Promise<void> } {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const lost = (current: pg.Client) => {
    if (client !== current) return;
    client = undefined;
    activeClients.listening(false);
    void current.end().catch(() => {});
    if (!stopped) retry = setTimeout(connect, RELISTEN_DELAY_MS);
  };
  const connect = () => {
    const current = new pg.Client({ connectionString, keepAlive: true });
    client = current;
    current.on('error', () => lost(current));
    current.on('end', () => lost(current));
    current.on('notification', (message) => activeClients.revoked(message.payload ?? ''));
    current
      .connect()
      .then(() => current.query(`listen ${REVOCATION_CHANNEL}`))
      .then(() => {
        if (client === current && !stopped) activeClients.listening(true);
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
      activeClients.listening(false);
      await current?.end().catch(() => {});
    },
  };
}
