// The synergy matrix (docs/matrix.md): the grid's strengths, Trellis's own placement
// and the catalog's, side by side as heatmaps, then each catalog project's scores.
import { useQuery } from '@tanstack/react-query';
import { type Evaluation, getJson, type Matrix, paths } from '../api.ts';
import { type HeatCell, Heatmap } from '../charts/heatmap.tsx';
import type { DashboardPage } from '../page.ts';
import { Loaded } from '../parts.tsx';

const strengthValue = { strong: 1, moderate: 0.6, weak: 0.25 } as const;

function MatrixView() {
  const matrix = useQuery({ queryKey: [paths.matrix], queryFn: () => getJson<Matrix>(paths.matrix) });
  return (
    <Loaded query={matrix}>
      {(m) => {
        const rows = [...new Set(m.grid.map((c) => c.property))];
        const columns = [...new Set(m.grid.map((c) => c.axis))];
        const cellOf = (id: string) => m.grid.find((c) => c.id === id)!;
        const place = (id: string) => ({ row: cellOf(id).property, column: cellOf(id).axis });
        const grid: HeatCell[] = m.grid.map((c) => ({ ...place(c.id), value: strengthValue[c.strength], text: c.strength, title: c.why }));
        const own = (e: Evaluation): HeatCell[] =>
          e.cells.map((c) => ({
            ...place(c.id),
            value: c.aligned ? strengthValue[c.strength] : 0,
            text: c.aligned ? `aligned, evidence ${c.evidence}/3` : c.claimed ? 'claimed only' : 'not placed',
            title: c.mechanisms.join(', ') || 'no running mechanism',
          }));
        const catalog: HeatCell[] = m.grid.map((g) => {
          const aligned = m.catalog.filter((p) => p.evaluation.cells.some((c) => c.id === g.id && c.aligned));
          return {
            ...place(g.id),
            value: m.catalog.length === 0 ? 0 : aligned.length / m.catalog.length,
            text: `${aligned.length} of ${m.catalog.length}`,
            title: aligned.map((p) => p.evaluation.name).join(', ') || 'no project',
          };
        });
        return (
          <>
            <p>
              Trellis: alignment {m.trellis.alignment}, evidence {m.trellis.evidence ?? 'none'} (two scores, never added). Shade: how strong the cell is where a
              project is aligned; for the catalog, the share of projects aligned.
            </p>
            <div className="heatmaps">
              <Heatmap caption="The grid: how strongly each pair helps each other" rows={rows} columns={columns} cells={grid} />
              <Heatmap caption="Trellis, derived from this repository" rows={rows} columns={columns} cells={own(m.trellis)} />
              <Heatmap caption={`The catalog: projects aligned per cell (${m.catalog.length} projects)`} rows={rows} columns={columns} cells={catalog} />
            </div>
            <h2>Catalog projects</h2>
            <table>
              <thead>
                <tr>
                  <th scope="col">Project</th>
                  <th scope="col">Category</th>
                  <th scope="col">Alignment</th>
                  <th scope="col">Evidence</th>
                  <th scope="col">Aligned cells</th>
                </tr>
              </thead>
              <tbody>
                {[{ id: 'self', evaluation: m.trellis }, ...m.catalog].map(({ id, evaluation: e }) => (
                  <tr key={id}>
                    <th scope="row">{e.name}</th>
                    <td>{e.category}</td>
                    <td className="num">{e.alignment}</td>
                    <td className="num">{e.evidence ?? '–'}</td>
                    <td>{e.cells.filter((c) => c.aligned).length}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        );
      }}
    </Loaded>
  );
}

export const matrixPage: DashboardPage = { path: 'matrix', title: 'Synergy matrix', Component: MatrixView };
