// The one table every page draws its rows with: named for assistive technology (an
// aria-label, or a visible caption), header cells scoped to their column, numbers right
// aligned, and a wrapper that scrolls a wide table sideways inside a laptop screen. The
// wrapper takes keyboard focus so that a keyboard user can scroll it too (arrow keys),
// with the same visible outline as every other focusable element.
import type { ReactNode } from 'react';

export type Column<T> = {
  header: string;
  cell: (row: T) => ReactNode;
  /** Right-aligned, tabular figures. */
  numeric?: boolean;
  /** The cell names its row (a header cell scoped to the row). */
  rowHeader?: boolean;
};

export type TableProps<T> = {
  /** What the table holds, announced with it (and shown when `caption` is set). */
  label: string;
  caption?: boolean;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** Shown instead of an empty table. */
  empty?: ReactNode;
  className?: string;
};

export function Table<T>({ label, caption = false, columns, rows, rowKey, empty, className }: TableProps<T>) {
  if (rows.length === 0 && empty !== undefined) return <p className="muted">{empty}</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a box that scrolls must be reachable by keyboard to be scrolled (WCAG 2.1.1); focus lands on the table it holds, announced by its name.
    <div className="table-scroll" tabIndex={0}>
      <table aria-label={caption ? undefined : label} className={className}>
        {caption && <caption>{label}</caption>}
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.header} scope="row" className={c.numeric ? 'num' : undefined}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.header} className={c.numeric ? 'num' : undefined}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
