// HTML built from tagged templates: every interpolated value is escaped by `escapeHtml` unless it
// is already `SafeHtml` (markup built the same way, or SVG from vega, which escapes its own text).
// Escaping in one place means a method name, a param or a claim's statement can never become markup.
import { createHash } from 'node:crypto';

export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function render(value: Interpolated): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** `html\`<td>${name}</td>\`` escapes `name`; nested `html` results and arrays of them pass through. */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => (out += render(value) + strings[i + 1]));
  return new SafeHtml(out);
}

/** Markup that did not come from user data (vega's SVG output). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

// Sorting a table by a header: rows are reordered by each cell's data-sort value (numbers
// numerically, empty last), ascending then descending. Works from file:// with no library.
const SORT_SCRIPT = `
for (const table of document.querySelectorAll('table.sortable')) {
  const headers = [...table.tHead.rows[0].cells];
  headers.forEach((th, column) => {
    th.tabIndex = 0;
    const sort = () => {
      const ascending = th.getAttribute('aria-sort') !== 'ascending';
      headers.forEach((h) => h.removeAttribute('aria-sort'));
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const key = (row) => {
        const cell = row.cells[column];
        const raw = cell.dataset.sort ?? cell.textContent.trim();
        const number = raw === '' ? NaN : Number(raw);
        return { raw, number, empty: raw === '' || raw === '–' };
      };
      const body = table.tBodies[0];
      const rows = [...body.rows].map((row) => ({ row, key: key(row) }));
      rows.sort((a, b) => {
        if (a.key.empty !== b.key.empty) return a.key.empty ? 1 : -1;
        const numeric = !Number.isNaN(a.key.number) && !Number.isNaN(b.key.number);
        const order = numeric ? a.key.number - b.key.number : a.key.raw.localeCompare(b.key.raw);
        return ascending ? order : -order;
      });
      for (const { row } of rows) body.appendChild(row);
    };
    th.addEventListener('click', sort);
    th.addEventListener('keydown', (event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); sort(); } });
  });
}
`;

const STYLE = `
:root { color-scheme: light; --muted: #5f6368; --line: #d8dce0; --accent: #1f5fa8; }
body { font: 15px/1.45 "DejaVu Sans", system-ui, sans-serif; margin: 0 auto; max-width: 1320px; padding: 1.5rem 2rem 4rem; color: #1d1f21; }
header.site { border-bottom: 1px solid var(--line); margin-bottom: 1.5rem; padding-bottom: .5rem; }
header.site a { color: inherit; text-decoration: none; font-weight: bold; }
h1 { font-size: 1.6rem; margin: .2rem 0 .4rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.6rem 0 .5rem; }
a { color: var(--accent); }
p.note, .muted { color: var(--muted); }
nav.toc ul { columns: 2; padding-left: 1.2rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .7rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; white-space: nowrap; }
table.sortable th::after { content: " \\2195"; color: #b0b4b8; }
table.sortable th[aria-sort=ascending]::after { content: " \\2191"; color: #1d1f21; }
table.sortable th[aria-sort=descending]::after { content: " \\2193"; color: #1d1f21; }
.ci { color: var(--muted); font-size: .82em; }
td.method { white-space: nowrap; }
th .goal { color: var(--muted); font-size: .78em; font-weight: normal; }
.board { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.board > div { min-width: 0; }
.scroll { overflow-x: auto; max-width: 100%; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: .8rem; color: var(--muted); }
.status-holds { color: #1e7a34; font-weight: bold; }
.status-fails { color: #b3261e; font-weight: bold; }
.status-not-checked { color: var(--muted); }
code, .mono { font-family: "DejaVu Sans Mono", monospace; font-size: .85em; }
details { margin: .3rem 0 1rem; }
`;

export interface PageOptions {
  title: string;
  siteTitle: string;
  /** Relative link to index.html from this page. */
  home: string;
  body: SafeHtml;
}

/** A complete page: inline style and script (no external requests) under a CSP that allows only that script. */
export function page({ title, siteTitle, home, body }: PageOptions): string {
  const scriptHash = createHash('sha256').update(SORT_SCRIPT).digest('base64');
  const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'sha256-${scriptHash}'`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<title>${title}</title>
<style>${trusted(STYLE)}</style>
</head>
<body>
<header class="site"><a href="${home}">${siteTitle}</a></header>
<main>
${body}
</main>
<script>${trusted(SORT_SCRIPT)}</script>
</body>
</html>
`.text;
}
