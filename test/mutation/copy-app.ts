// The app of the mutated copy on a store, as both checks run it (copied to the copy's root).
import { createApp } from './server/app.js';
import type { Store } from './server/store/database.js';

export const appOn = (store: Store) =>
  createApp({ store, jwtSecret: 'mutation-test-secret-0123456789abcdef', validateResponses: true, log: () => {} });
