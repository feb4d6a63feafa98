// Tests make hundreds of throwaway client secrets: hash them at scrypt's lowest accepted cost
// (SECRET_HASH_COST) instead of the production default, here and in every child process a test
// starts with the inherited environment. The hashing itself is tested at the default cost.
import { setSecretHashCost } from '../../server/domain/credentials.js';

process.env.SECRET_HASH_COST ??= '1024';
setSecretHashCost(Number(process.env.SECRET_HASH_COST));
