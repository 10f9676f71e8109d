// GET /v1/matrix: the synergy grid with Trellis's own evaluation and every catalog
// project's, for the dashboard's heatmaps. It comes from this repository (the grid in
// src/matrix, profiles in catalog/, Trellis derived from its own files), not from the
// chain, so it is computed once per server and kept.
import { loadCatalog } from '../../matrix/catalog.ts';
import { evaluate, type Evaluation } from '../../matrix/evaluate.ts';
import { synergyGrid, type GridCell } from '../../matrix/grid.ts';
import { selfAssessment } from '../../matrix/self-assess.ts';

export type MatrixData = { grid: readonly GridCell[]; trellis: Evaluation; catalog: { id: string; evaluation: Evaluation }[] };

let computed: MatrixData | undefined;

export function matrixData(): MatrixData {
  computed ??= {
    grid: synergyGrid(),
    trellis: evaluate(selfAssessment().profile),
    catalog: loadCatalog().map((entry) => ({ id: entry.id, evaluation: evaluate(entry.profile) })),
  };
  return computed;
}
