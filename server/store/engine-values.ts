// What both engines are opened with: the same JS values from either, PGlite's extensions.
import type { ParserOptions } from '@electric-sql/pglite';
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

// Both engines must hand back the same JS values. timestamptz is a Date in both by default;
// numeric (total_score) is a string in both by default, and int8 (count(*)) a string in pg but a
// number in PGlite, so both become numbers here. Counts and scores fit a double.
export const NUMERIC = 1700;
export const INT8 = 20;
export const parseNumber = (value: string): number => Number(value);
const pgliteParsers: ParserOptions = { [NUMERIC]: parseNumber, [INT8]: parseNumber };
// The trigram indexes of the connection lists (migration 0007) need pg_trgm and btree_gin
// loaded at every open.
export const pgliteOptions = { parsers: pgliteParsers, extensions: { pg_trgm, btree_gin } };
