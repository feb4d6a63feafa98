// What every list query shares: substring search, direction with nulls last, one page.
import {
  sql,
  type Expression,
  type OrderByDirection,
  type OrderByModifiersCallbackExpression,
  type RawBuilder,
} from 'kysely';

export type Page = { limit: number; offset: number };

/** One page of rows and the number of every match. */
export type ListResult<R> = { rows: R[]; total: number };

/**
 * `column ILIKE '%text%'`, the user's text taken literally: `%`, `_` and `\` would
 * otherwise be wildcards or the escape character.
 */
export function containsText(column: Expression<string>, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  return sql<boolean>`${column} ilike ${pattern} escape '\\'`;
}

/** Nulls last in both directions, so a page of values never starts with the blanks. */
export function direction(dir: OrderByDirection): OrderByModifiersCallbackExpression {
  return (order) => (dir === 'asc' ? order.asc() : order.desc()).nullsLast();
}

/** Names and e-mails order and match case-insensitively. */
export function lower(column: Expression<string>): RawBuilder<string> {
  return sql<string>`lower(${column})`;
}
