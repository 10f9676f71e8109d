// The synergy matrix (docs/matrix.md): the grid's strengths, Trellis's own placement
// and the catalog's, side by side as heatmaps, then each catalog project's scores.
import { useQuery } from '@tanstack/react-query';
import { type Evaluation, getJson, type Matrix, paths } from '../api.ts';
import { type HeatCell, Heatmap } from '../charts/heatmap.tsx';
import type { DashboardPage } from '../page.ts';
import { Loaded } from '../parts.tsx';
import { Table } from '../table.tsx';

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
            <Table
              label="Catalog projects"
              rows={[{ id: 'self', evaluation: m.trellis }, ...m.catalog]}
              rowKey={(p) => p.id}
              columns={[
                { header: 'Project', rowHeader: true, cell: (p) => p.evaluation.name },
                { header: 'Category', cell: (p) => p.evaluation.category },
                { header: 'Alignment', numeric: true, cell: (p) => p.evaluation.alignment },
                { header: 'Evidence', numeric: true, cell: (p) => p.evaluation.evidence ?? '–' },
                { header: 'Aligned cells', numeric: true, cell: (p) => p.evaluation.cells.filter((c) => c.aligned).length },
              ]}
            />
          </>
        );
      }}
    </Loaded>
  );
}

export const matrixPage: DashboardPage = { path: 'matrix', title: 'Synergy matrix', Component: MatrixView };
