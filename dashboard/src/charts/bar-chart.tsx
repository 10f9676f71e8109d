// A bar chart in plain SVG: one bar per bucket, the largest filling the height. The
// figure carries a text summary for screen readers and each bar a tooltip, so the
// chart never holds the only copy of a number.
export type Bar = { label: string; value: number };

export function BarChart({ title, bars, unit, color = '#1f5fa8' }: { title: string; bars: Bar[]; unit: string; color?: string }) {
  const width = 560;
  const height = 140;
  const max = Math.max(0, ...bars.map((b) => b.value));
  const step = bars.length === 0 ? 0 : width / bars.length;
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  const summary = `${title}: ${formatNumber(total)} ${unit} in all over ${bars.length} buckets, at most ${formatNumber(max)} in one.`;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={summary}>
        <line x1="0" y1={height} x2={width} y2={height} stroke="#5a6472" />
        {bars.map((bar, i) => {
          const h = max === 0 ? 0 : Math.max(bar.value > 0 ? 2 : 0, (bar.value / max) * (height - 10));
          return (
            <rect key={bar.label} x={i * step + 1} y={height - h} width={Math.max(1, step - 2)} height={h} fill={color}>
              <title>{`${bar.label}: ${formatNumber(bar.value)} ${unit}`}</title>
            </rect>
          );
        })}
        <text x="0" y={height + 16} fontSize="12" fill="#303843">
          {bars[0]?.label ?? ''}
        </text>
        <text x={width} y={height + 16} fontSize="12" fill="#303843" textAnchor="end">
          {bars[bars.length - 1]?.label ?? ''}
        </text>
        <text x={width} y="12" fontSize="12" fill="#303843" textAnchor="end">
          max {formatNumber(max)} {unit}
        </text>
      </svg>
    </figure>
  );
}

const formatNumber = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(4).replace(/\.?0+$/, ''));
