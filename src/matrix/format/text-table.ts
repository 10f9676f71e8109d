// Pads rows of cells into aligned columns for the terminal.
export function textTable(rows: readonly (readonly string[])[], gap = '  '): string {
  const widths: number[] = [];
  for (const row of rows) for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join(gap)
        .trimEnd(),
    )
    .join('\n');
}

export function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
