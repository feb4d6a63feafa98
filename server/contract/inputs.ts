// An operation's inputs as request validation hands them on, from the generated types: every
// parameter default the contract declares is filled in, so those parameters are always present.
import type { operations } from '../../generated/openapi.js';
import type { operations as table } from '../../generated/operations.js';
import type { OperationId } from './document.js';

type Op<K extends OperationId> = operations[K];

/** One part (`path`, `query`, `header`) of an operation's parameters; an empty record when it has none. */
export type Part<T, Key extends string> = T extends { [P in Key]?: infer V }
  ? [V] extends [never | undefined]
    ? Record<string, never>
    : NonNullable<V>
  : Record<string, never>;

/** Names of the parameters in `where` whose schema has a `default`, which validation fills in. */
type Defaulted<K extends OperationId, Where extends string> = Extract<
  (typeof table)[K]['parameters'][number],
  { in: Where; schema: { default: unknown } }
>['name'];
/** `T` with the defaulted parameters present. */
type WithDefaults<T, Names> = { [P in keyof T as P extends Names ? P : never]-?: Exclude<T[P], undefined> } & {
  [P in keyof T as P extends Names ? never : P]: T[P];
};

/** The validated query of an operation: `limit`, `order_by` and the like carry the contract's default when absent. */
export type ValidatedQuery<K extends OperationId> = WithDefaults<
  Part<Op<K>['parameters'], 'query'>,
  Defaulted<K, 'query'>
>;
