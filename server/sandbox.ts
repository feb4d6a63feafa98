// `createSandbox()`: the API in this process on a fresh in-memory database seeded with the demo
// (a host, a guest and a pending invitation), for a frontend's or a service's tests that need
// state: pass its `fetch` to `createConnectionsClient` and nothing listens on a port.
import { randomBytes } from 'node:crypto';
import { contract } from '../generated/operations.js';
import { createApp, type App, type AppOptions } from './app.js';
import { seedDemo, type Demo } from './demo.js';
import { openMemoryDatabase } from './store/database.js';
import { migrateToLatest } from './store/migrate.js';

export type SandboxOptions = {
  /** The origin the sandbox pretends to live at; `baseUrl` is this plus `/v1`. Default `http://sandbox.test`. */
  origin?: string;
  /** Forwarded to `createApp`; by default a sandbox logs nothing. */
  log?: AppOptions['log'];
};

export type Sandbox = {
  app: App;
  /** Hand this to `createConnectionsClient({ fetch })`: each request is answered by `app`, no network. */
  fetch: (input: Request, init?: RequestInit) => Promise<Response>;
  /** The client's `baseUrl` for this sandbox. */
  baseUrl: string;
  /** Two organizations with API client credentials, and the host's invitation to the guest. */
  host: Demo['host'];
  guest: Demo['guest'];
  invitation: NonNullable<Demo['invitation']>;
  /** Closes the database; the sandbox answers nothing afterwards. */
  close(): Promise<void>;
};

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const store = await openMemoryDatabase();
  try {
    await migrateToLatest(store.db);
    const demo = await seedDemo(store);
    // A new database has no organizations, so the demo is always seeded with its invitation.
    if (demo === null || demo.invitation === null) throw new Error('createSandbox: the demo was not seeded');
    const app = createApp({ store, jwtSecret: randomBytes(32).toString('hex'), log: options.log ?? (() => {}) });
    const origin = (options.origin ?? 'http://sandbox.test').replace(/\/+$/, '');
    return {
      app,
      fetch: async (input, init) => app.fetch(new Request(input, init)),
      baseUrl: `${origin}${contract.basePath}`,
      host: demo.host,
      guest: demo.guest,
      invitation: demo.invitation,
      close: () => store.close(),
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
