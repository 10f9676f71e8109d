// A 3x3 heatmap of the synergy matrix: AI properties as rows, blockchain properties as
// columns. Each cell's shade comes from a value 0..1 and its text says the value, so
// colour is never the only carrier.
export type HeatCell = { row: string; column: string; value: number; text: string; title: string };

export function Heatmap({ caption, rows, columns, cells }: { caption: string; rows: string[]; columns: string[]; cells: HeatCell[] }) {
  const at = new Map(cells.map((c) => [`${c.row}/${c.column}`, c]));
  return (
    <table className="heatmap">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <td />
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r}>
            <th scope="row">{r}</th>
            {columns.map((c) => {
              const cell = at.get(`${r}/${c}`);
              const v = cell?.value ?? 0;
              // From near white to a deep blue; text switches to white where the shade is dark.
              const light = Math.round(96 - v * 62);
              return (
                <td key={c} title={cell?.title} style={{ background: `hsl(212 70% ${light}%)`, color: light < 55 ? '#fff' : '#111' }}>
                  {cell?.text ?? ''}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
