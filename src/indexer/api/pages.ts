// Keyset pagination: a list is sorted by a unique key (for example block number then
// log index, newest first) and the next page starts after the key of the last row
// returned. Pages stay stable while new rows arrive, which offsets would not.
import type { Queryable, Row } from '../db/database.ts';
import { encodeCursor, parseCursor, type CursorShape, type CursorValue } from './params.ts';

export type ListSpec = {
  /** FROM and JOIN part, with the selected columns: "SELECT ... FROM table". */
  select: string;
  /** The sort key's columns (from code, never from input) and their kinds. */
  key: readonly { column: string; kind: CursorShape[number] }[];
  descending: boolean;
};

export type Filter = { sql: (placeholder: string) => string; value: unknown };

export type Page<T> = { items: T[]; nextCursor: string | null };

export async function listPage<R extends Row, T>(
  db: Queryable,
  spec: ListSpec,
  filters: Filter[],
  page: { limit: number; cursor: string | undefined },
  toItem: (row: R) => T,
  keyOf: (row: R) => CursorValue,
): Promise<Page<T>> {
  const after = parseCursor(
    page.cursor,
    spec.key.map((k) => k.kind),
  );
  const params: unknown[] = [];
  const placeholder = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = filters.map((f) => f.sql(placeholder(f.value)));
  if (after) {
    const columns = spec.key.map((k) => k.column).join(', ');
    const values = after.map((v) => placeholder(v)).join(', ');
    where.push(`(${columns}) ${spec.descending ? '<' : '>'} (${values})`);
  }
  const order = spec.key.map((k) => `${k.column} ${spec.descending ? 'DESC' : 'ASC'}`).join(', ');
  const sql = `${spec.select}${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${placeholder(page.limit + 1)}`;
  const rows = await db.query<R>(sql, params);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items: items.map(toItem), nextCursor: rows.length > page.limit && last ? encodeCursor(keyOf(last)) : null };
}

/** A filter `column = value`. */
export const equals = (column: string, value: unknown): Filter => ({ sql: (p) => `${column} = ${p}`, value });

/** A page asked for: how many rows, and after which cursor. */
export type PageRequest = { limit: number; cursor: string | undefined };
/** One row of an answer, as JSON. */
export type Item = Record<string, unknown>;

/** A NUMERIC or BIGINT column as a JSON number, null kept. */
export const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
/** Where an event-derived row comes from. */
export const at = (r: Row) => ({ blockNumber: num(r.block_number), logIndex: r.log_index, txHash: r.tx_hash });
/** The filters a request named; an absent parameter filters nothing. */
export const present = (filters: (Filter | undefined)[]) => filters.filter((f): f is Filter => f !== undefined);
export const maybe = (column: string, value: unknown) => (value === undefined ? undefined : equals(column, value));
/** The key of lists of events: block number then log index. */
export const byPosition = [
  { column: 'block_number', kind: 'integer' },
  { column: 'log_index', kind: 'integer' },
] as const;
export const positionOf = (r: Row) => [Number(r.block_number), Number(r.log_index)];

/** Related rows a list row carries (the latest validations, slashes, rounds...), so that a page of a list is one read, not one per row. */
export const RECENT = 10;
/** Related rows one record carries in its own route; the full lists are paginated routes. */
export const HISTORY = 100;

/**
 * SQL for a JSON array of the rows `select` gives (a correlated read of the outer row),
 * at most `limit` of them picked in the order `pick`, listed in the order `shown` (the
 * same by default); `[]` when there are none. How a list row carries its related rows
 * in the same query. NUMERIC columns must be selected as text: in JSON they would be
 * numbers, and a reader would round them.
 */
export const jsonRows = (select: string, o: { pick: string; shown?: string; limit: number }) =>
  `COALESCE((SELECT jsonb_agg(to_jsonb(j) ORDER BY ${o.shown ?? o.pick}) FROM (${select} ORDER BY ${o.pick} LIMIT ${Math.trunc(o.limit)}) j), '[]'::jsonb)`;

/** The page of one record: a list read narrowed to its key. */
export const ONE: PageRequest = { limit: 1, cursor: undefined };
export const onlyRow = async <T>(page: Promise<Page<T>>): Promise<T | undefined> => (await page).items[0];
