// A self-contained HTML page (inline CSS, no scripts, no external assets): the grid
// of synergy strengths, a summary table, and one 3x3 heatmap per evaluated project.
// A project's cell is coloured by the grid strength when the project is aligned with
// it and grey when not, and shows its evidence points, so the two scores stay apart.
import type { Evaluation } from '../evaluate.ts';
import { MAX_CELL_EVIDENCE } from '../evaluate.ts';
import type { GridCell, Strength } from '../grid.ts';
import { AXES, PROPERTIES, cellId } from '../vocabulary.ts';
import { alignedCellsText, CELL_LEGEND, cellText, evidenceText } from './alignment-text.ts';
import { titleCase } from './text-table.ts';

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const STRENGTH_CLASS: Readonly<Record<Strength, string>> = { strong: 'g3', moderate: 'g2', weak: 'g1' };

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1f2937;background:#fff;max-width:72rem}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #e5e7eb;padding-bottom:.25rem}
p.meta{color:#4b5563;margin:.25rem 0 1rem}
table.heat{border-collapse:separate;border-spacing:4px}
table.heat th{font-weight:600;font-size:.85rem;color:#374151;padding:.25rem .5rem;text-align:center}
table.heat th.row{text-align:right}
table.heat td{width:11rem;height:4.5rem;text-align:center;vertical-align:middle;border-radius:6px;font-size:.8rem;padding:.25rem}
td .score{display:block;font-size:1rem;font-weight:700}
td .mech{display:block;font-size:.7rem;opacity:.85}
td.claimed{outline:3px dashed #1e3a8a;outline-offset:-3px}
.s0{background:#f3f4f6;color:#6b7280}
.g1{background:#fecaca;color:#7f1d1d}.g2{background:#fde68a;color:#78350f}.g3{background:#86efac;color:#14532d}
.legend span{display:inline-block;padding:.15rem .6rem;margin-right:.4rem;border-radius:4px;font-size:.8rem}
table.summary{border-collapse:collapse;margin:.5rem 0}
table.summary th,table.summary td{border:1px solid #e5e7eb;padding:.3rem .6rem;font-size:.85rem;text-align:left}
table.summary td.num{text-align:right}
ul.flags li{margin:.2rem 0}.rule{font-family:ui-monospace,monospace;background:#fee2e2;color:#991b1b;padding:0 .3rem;border-radius:3px}
details{margin:.5rem 0}summary{cursor:pointer;color:#374151}
.none{color:#15803d}
`;

function gridHeatmap(grid: readonly GridCell[]): string {
  const rows = PROPERTIES.map((p) => {
    const tds = AXES.map((a) => {
      const c = grid.find((x) => x.id === cellId(p, a))!;
      return `<td class="${STRENGTH_CLASS[c.strength]}" title="${escapeHtml(c.why)}"><span class="score">${c.strength}</span><span class="mech">${escapeHtml(c.techniques.slice(0, 3).join(', '))}</span></td>`;
    });
    return `<tr><th class="row">${titleCase(p)}</th>${tds.join('')}</tr>`;
  });
  return `<table class="heat" data-kind="grid"><tr><th></th>${AXES.map((a) => `<th>${titleCase(a)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function evaluationHeatmap(ev: Evaluation): string {
  const rows = PROPERTIES.map((p) => {
    const tds = AXES.map((a) => {
      const c = ev.cells.find((x) => x.id === cellId(p, a))!;
      const classes = [c.aligned ? STRENGTH_CLASS[c.strength] : 's0', c.claimed ? 'claimed' : ''].filter(Boolean).join(' ');
      const mech = c.mechanisms.length ? escapeHtml(c.mechanisms.join(', ')) : c.claimed ? 'claimed, nothing running' : '&nbsp;';
      const head = c.aligned ? `aligned ${c.strength}` : 'not aligned';
      return `<td class="${classes}" data-cell="${c.id}" data-aligned="${c.aligned}" title="${escapeHtml(c.reasons.join('; '))}"><span class="score">${head}</span><span class="mech">evidence ${c.evidence}/${MAX_CELL_EVIDENCE}</span><span class="mech">${mech}</span></td>`;
    });
    return `<tr><th class="row">${titleCase(p)}</th>${tds.join('')}</tr>`;
  });
  return `<table class="heat" data-kind="evaluation"><tr><th></th>${AXES.map((a) => `<th>${titleCase(a)}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function evaluationSection(ev: Evaluation): string {
  const flags = ev.flags.length
    ? `<ul class="flags">${ev.flags
        .map(
          (f) =>
            `<li><span class="rule">${escapeHtml(f.rule)}</span>${f.cell ? ` <code>${f.cell}</code>` : ''}${f.claim ? ` &ldquo;${escapeHtml(f.claim)}&rdquo;` : ''}: ${escapeHtml(f.message)}</li>`,
        )
        .join('')}</ul>`
    : '<p class="none">No hype flags.</p>';
  const reasons = ev.cells
    .filter((c) => c.reasons.length > 0)
    .map((c) => `<li><code>${c.id}</code> ${escapeHtml(cellText(c))}: ${escapeHtml(c.reasons.join('; '))}</li>`)
    .join('');
  const extra = [
    ev.notRunning.length ? `<p>Not running: ${escapeHtml(ev.notRunning.join(', '))}</p>` : '',
    ev.unmeasured.length ? `<p>Unmeasured figures: ${escapeHtml(ev.unmeasured.join(', '))}</p>` : '',
  ].join('');
  return `<section><h2>${escapeHtml(ev.name)}</h2>
<p class="meta">${escapeHtml(ev.category)} &middot; alignment ${ev.alignment}/100 &middot; evidence ${evidenceText(ev.evidence)} &middot; ${ev.flags.length} hype flag(s)</p>
<p class="meta">Aligned cells: ${escapeHtml(alignedCellsText(ev))}</p>
${evaluationHeatmap(ev)}
${flags}
<details><summary>Reasons per cell</summary><ul>${reasons || '<li>no cell is aligned or claimed</li>'}</ul></details>
${extra}</section>`;
}

function summaryTable(evs: readonly Evaluation[]): string {
  const rows = evs
    .map(
      (e) =>
        `<tr><td>${escapeHtml(e.name)}</td><td>${escapeHtml(e.category)}</td><td class="num">${e.alignment}</td><td class="num">${e.evidence ?? 'n/a'}</td><td class="num">${e.flags.length}</td><td>${escapeHtml(alignedCellsText(e))}</td></tr>`,
    )
    .join('');
  return `<table class="summary"><tr><th>project</th><th>category</th><th>alignment</th><th>evidence</th><th>hype flags</th><th>aligned cells</th></tr>${rows}</table>`;
}

export function evaluationHtml(args: { title: string; grid: readonly GridCell[]; evaluations: readonly Evaluation[] }): string {
  const legend = `<p class="legend">Project cells: <span class="g3">aligned, strong</span><span class="g2">aligned, moderate</span><span class="g1">aligned, weak</span><span class="s0">not aligned</span> dashed border: claimed by the project. ${escapeHtml(CELL_LEGEND)}.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(args.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(args.title)}</h1>
<p class="meta">Three properties of decentralized AI against the blockchain trilemma. Alignment (0..100): how strongly the grid rates the cells a project's mechanisms address. Evidence (0..100): how much of it sources and measured figures back, 0..${MAX_CELL_EVIDENCE} per cell.</p>
<h2>Synergy strength of each cell</h2>
<p class="legend"><span class="g3">strong</span><span class="g2">moderate</span><span class="g1">weak</span></p>
${gridHeatmap(args.grid)}
${args.evaluations.length > 1 ? `<h2>Summary</h2>${summaryTable(args.evaluations)}` : ''}
${legend}
${args.evaluations.map(evaluationSection).join('\n')}
</body></html>
`;
}
