// Horizontal bars for shares of a whole (earnings per model or provider): the label,
// the bar and the value on one row, readable without the bar.
export function ShareBars({ title, rows }: { title: string; rows: { label: string; value: number; shown: string }[] }) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <table className="share-bars">
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td className="bar-cell">
                <svg viewBox="0 0 200 12" aria-hidden="true" preserveAspectRatio="none">
                  <rect x="0" y="1" height="10" width={max === 0 ? 0 : (row.value / max) * 200} fill="#2e7d4f" />
                </svg>
              </td>
              <td className="num">{row.shown}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
