// Charts: vega-lite specs rendered to SVG in Node (vega's headless renderer, no canvas, no browser)
// and to PNG with resvg, for embedding in a README.
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { LeaderboardCell } from '../api/types.ts';
import type { TaskRanking } from '../results/leaderboard.ts';

/** The same font in the page, the SVG and the PNG (DejaVu ships with Debian). */
const FONT = 'DejaVu Sans';

export const chartConfig = { font: FONT, background: 'white', view: { stroke: '#d8dce0' } };

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const withDefaults = { ...spec, config: { ...chartConfig, ...(spec.config ?? {}) } } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(withDefaults).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT }, fitTo: { mode: 'zoom', value: 2 } });
  return resvg.render().asPng();
}

/**
 * Several SVGs inline in one page share one id space: prefix every id (clip paths, gradients) and
 * the references to it, so charts cannot take each other's definitions.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
  if (!ids.size) return svg;
  return svg
    .replace(/(\sid=")([^"]+)"/g, (all, start: string, id: string) => `${start}${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${prefix}-${id})` : all))
    .replace(/(href=")#([^"]+)"/g, (all, start: string, id: string) => (ids.has(id) ? `${start}#${prefix}-${id}"` : all));
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** The prefix every method id shares (`plugin/`), dropped from chart labels; '' when they differ. */
export function sharedPrefix(methods: readonly string[]): string {
  const prefixes = new Set(methods.map((m) => (m.includes('/') ? m.slice(0, m.indexOf('/') + 1) : '')));
  return prefixes.size === 1 ? [...prefixes][0] : '';
}

/** Whether a chart of these positive values reads better on a log axis: they span two decades or more. */
export function spansDecades(values: ReadonlyArray<number | null>): boolean {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!finite.length || finite.some((v) => v <= 0)) return false;
  return Math.max(...finite) / Math.min(...finite) >= 100;
}

/** The primary metric of one board (task × group) by method: mean as a point, 95 % CI as an error bar. */
export function primaryMetricSpec(cells: readonly LeaderboardCell[], config: TaskRanking, unit: string, subtitle: string): TopLevelSpec {
  const metric = config.primary;
  const prefix = sharedPrefix(cells.map((c) => c.method));
  const values = cells.map((cell, order) => {
    const e = cell.metrics[metric];
    return { method: cell.method.slice(prefix.length), order, mean: finiteOrNull(e?.mean), lo: finiteOrNull(e?.lo), hi: finiteOrNull(e?.hi), n: e?.n ?? 0 };
  });
  const log = spansDecades(values.flatMap((v) => [v.mean, v.lo, v.hi]));
  const scale = log ? { type: 'log' as const } : {};
  const axisTitle = `${metric}${unit ? ` (${unit})` : ''}, mean and 95 % CI${log ? ', log scale' : ''} — ${config.goal === 'min' ? 'lower' : 'higher'} is better`;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${metric} by method`, subtitle: prefix ? `${subtitle} · methods of ${prefix.slice(0, -1)}` : subtitle, anchor: 'start', fontSize: 13, subtitleColor: '#5f6368' },
    width: 320,
    height: { step: 24 },
    data: { values },
    encoding: {
      y: { field: 'method', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null, axis: { labelLimit: 420 } },
    },
    layer: [
      {
        transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
        mark: { type: 'errorbar', ticks: true, color: '#5f6368' },
        encoding: { x: { field: 'lo', type: 'quantitative', title: axisTitle, scale }, x2: { field: 'hi' } },
      },
      {
        transform: [{ filter: 'isValid(datum.mean)' }],
        mark: { type: 'point', filled: true, size: 70, color: '#1f5fa8', opacity: 1 },
        encoding: {
          x: { field: 'mean', type: 'quantitative', title: axisTitle, scale },
        },
      },
    ],
  } as TopLevelSpec;
}
