// Plain-text tables for the terminal: column widths come from the content, not fixed padding.

export type Align = 'left' | 'right';

/** Lines of a table with a header; every column is as wide as its widest cell. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = [], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((cell, i) => (i === cells.length - 1 && align[i] !== 'right' ? cell : pad(cell, widths[i], align[i] ?? 'left')))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Display width: code points, so that "–" and "≤" count as one column. */
function width(text: string): number {
  return [...text].length;
}

function pad(text: string, to: number, align: Align): string {
  const fill = ' '.repeat(Math.max(0, to - width(text)));
  return align === 'right' ? fill + text : text + fill;
}
