// What one database connection has prepared and how it plans, for the drivers of both engines.
//
// A list's statements (prepared.ts, runShaped) are named by their text and run on generic
// plans: planned once per connection, never per request. PostgreSQL's default (`auto`) would
// plan a list with custom plans forever (a generic plan of `limit $n` is costed for 10% of the
// rows, so it never looks cheaper), so a connection runs its list statements under
// `plan_cache_mode = force_generic_plan` (the plan test checks those generic plans) and every
// other statement with parameters under `auto`, switching only when the kind changes. A
// ROLLBACK can undo a switch made inside its transaction, so after one the mode is unknown.
// At most CAPACITY list statements stay prepared, the least recently used one deallocated to
// make room: PostgreSQL keeps a named statement and its plan as long as the connection lives,
// and the shapes a client can ask for number in the thousands.
import { preparedName, shapedName } from './prepared.js';

const CAPACITY = 64;

type Mode = 'force_generic_plan' | 'auto';

/**
 * How to run one statement: under which name (none: unnamed), after deallocating `evicted`
 * (when the connection did prepare it) and running `setup`.
 */
export type Plan = { name: string | undefined; evicted: string | undefined; setup: string[] };

export class ConnectionStatements {
  /** List statements in order of use, the least recent first (a Set keeps insertion order). */
  readonly #lists = new Set<string>();
  /** The connection's plan_cache_mode; undefined when unknown (a new connection's is `auto`). */
  #mode: Mode | undefined = 'auto';

  constructor(readonly capacity = CAPACITY) {}

  /** The plan for `sql`, with or without parameters. */
  plan(sql: string, parameterCount: number): Plan {
    const hot = preparedName(sql);
    if (hot !== undefined) return { name: hot, evicted: undefined, setup: [] };
    const list = shapedName(sql);
    if (list === undefined) {
      if (/^\s*rollback/i.test(sql)) this.rolledBack();
      return { name: undefined, evicted: undefined, setup: parameterCount > 0 ? this.#switch('auto') : [] };
    }
    this.#lists.delete(list);
    this.#lists.add(list);
    const [oldest] = this.#lists;
    const evicted = this.#lists.size > this.capacity ? oldest : undefined;
    if (evicted !== undefined) this.#lists.delete(evicted);
    return { name: list, evicted, setup: this.#switch('force_generic_plan') };
  }

  /** A rollback may have undone a switch of plan_cache_mode. */
  rolledBack(): void {
    this.#mode = undefined;
  }

  #switch(mode: Mode): string[] {
    if (this.#mode === mode) return [];
    this.#mode = mode;
    return [`set plan_cache_mode = ${mode}`];
  }
}
