// Tasks: single-needle retrieval (one unit per grid cell: length × depth), multi-needle retrieval and
// the cumulative-NLL curve with its power-law fit. prepare() draws the needles and the haystack from
// the unit's rng (task, params, seed), so every model sees the same instance.
import type { Json, MetricValues, Params, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import { CORPORA, longDocument, proseHaystack, type CorpusName } from './corpora.ts';
import { containsNumber, drawNeedles } from './needle.ts';
import { cumulativeNll, fitPowerLaw, powerLaw, reportPositions } from './nll.ts';
import { runMultiNeedle, runNeedle, runNll, type MultiNeedleInstance, type MultiNeedleOutput, type NeedleInstance, type NeedleOutput, type NllInstance, type NllOutput } from './protocols.ts';

/** Characters of haystack text per requested token: cl100k averages ≈ 4.4 characters per token on this prose. */
const CHARS_PER_TOKEN = 6;

function intParam(params: Params, name: string, min: number): number {
  const v = params[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`param ${name} must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return v;
}

export const needleRetrieval: Task<NeedleInstance, NeedleOutput> = {
  version: 2,
  evaluate: (_ctx, inst, model) => runNeedle(model, inst),
  prepare(ctx: RunContext, params) {
    const length = intParam(params, 'length', 16);
    const depth = params.depth as number;
    if (typeof depth !== 'number' || depth < 0 || depth > 100) throw new RangeError(`param depth must be a percentage in [0, 100], got ${JSON.stringify(params.depth)}`);
    const [needle] = drawNeedles(ctx.rng.fork('needle'), 1);
    return { kind: 'needle', length, depth, needle, haystack: proseHaystack(ctx.rng.fork('haystack'), CHARS_PER_TOKEN * length + 2000) };
  },
  score(_ctx, inst, out): ScoreResult {
    const found = containsNumber(out.answer, inst.needle.number);
    const record = {
      length: inst.length, depth: inst.depth, city: inst.needle.city, number: inst.needle.number, answer: out.answer, found: found ? 1 : 0,
      insertedAt: out.insertedAt, haystackTokens: out.haystackTokens, promptTokens: out.promptTokens, needleTokens: out.needleTokens, form: out.form,
    };
    return { metrics: needleRetrieval.scoreRecords!([record], {}), records: [record] };
  },
  scoreRecords(records): MetricValues {
    const r = records[0] as { found: number; insertedAt: number; haystackTokens: number; promptTokens: number; needleTokens: number };
    return {
      recall: r.found,
      'depth-actual': (100 * r.insertedAt) / Math.max(1, r.haystackTokens),
      'context-tokens': r.promptTokens,
      'needle-distance': r.promptTokens - r.insertedAt,
      'needle-tokens': r.needleTokens,
    };
  },
};

export const multiNeedleRetrieval: Task<MultiNeedleInstance, MultiNeedleOutput> = {
  version: 2,
  evaluate: (_ctx, inst, model) => runMultiNeedle(model, inst),
  prepare(ctx: RunContext, params) {
    const length = intParam(params, 'length', 16);
    const k = intParam(params, 'k', 1);
    const needles = drawNeedles(ctx.rng.fork('needles'), k);
    return { kind: 'multi-needle', length, needles, haystack: proseHaystack(ctx.rng.fork('haystack'), CHARS_PER_TOKEN * length + 2000) };
  },
  score(_ctx, inst, out): ScoreResult {
    const records: Json[] = inst.needles.map((n, i) => ({
      length: inst.length, k: inst.needles.length, index: i, city: n.city, number: n.number, answer: out.answers[i], form: out.form,
      strict: containsNumber(out.answers[i], n.number) ? 1 : 0, lenient: containsNumber(out.generated, n.number) ? 1 : 0,
    }));
    return { metrics: multiNeedleRetrieval.scoreRecords!(records, {}), records };
  },
  scoreRecords(records): MetricValues {
    const rs = records as { strict: number; lenient: number }[];
    return {
      'recall-strict': rs.reduce((s, r) => s + r.strict, 0) / rs.length,
      'recall-lenient': rs.reduce((s, r) => s + r.lenient, 0) / rs.length,
    };
  },
};

/** Reported positions T = 2^7 … 2^20 (the metric ids cum-nll-at-<T>). */
export const NLL_POSITIONS = reportPositions(2 ** 20);

export const cumulativeNllTask: Task<NllInstance, NllOutput> = {
  version: 1,
  evaluate: (_ctx, inst, model) => runNll(model, inst),
  prepare(ctx: RunContext, params) {
    const corpus = params.corpus as CorpusName;
    if (!CORPORA.includes(corpus)) throw new RangeError(`param corpus must be one of ${CORPORA.join(', ')}, got ${JSON.stringify(params.corpus)}`);
    const maxTokens = intParam(params, 'maxTokens', 2 ** 7);
    if (maxTokens > 2 ** 20) throw new RangeError(`param maxTokens is at most 2^20 = 1048576, got ${maxTokens}`);
    return { kind: 'nll', corpus, maxTokens, text: longDocument(corpus, ctx.rng.fork('document'), CHARS_PER_TOKEN * maxTokens + 2000) };
  },
  score(_ctx, _inst, out): ScoreResult {
    const curve = cumulativeNll([out.nll], NLL_POSITIONS);
    const records: Json[] = curve.positions.map((t, i) => ({ position: t, cumNll: curve.values[i], tokenizer: out.tokenizer }));
    const metrics = cumulativeNllTask.scoreRecords!(records, {});
    metrics['nll-ms'] = out.ms;
    metrics['tokens-scored'] = out.nll.length;
    metrics['scoring-window'] = out.window;
    return { metrics, records };
  },
  scoreRecords(records): MetricValues {
    const rs = records as { position: number; cumNll: number }[];
    const metrics: MetricValues = {};
    for (const r of rs) metrics[`cum-nll-at-${r.position}`] = r.cumNll;
    // The per-position curve from the cumulative one: mean NLL over positions T/2+1 … T.
    for (let i = 1; i < rs.length; i++) {
      if (rs[i].position === 2 * rs[i - 1].position) metrics[`nll-in-${rs[i].position}`] = 2 * rs[i].cumNll - rs[i - 1].cumNll;
    }
    if (rs.length >= 3) {
      const x = rs.map((r) => r.position);
      const y = rs.map((r) => r.cumNll);
      const fit = fitPowerLaw(x, y);
      metrics['powerlaw-alpha'] = fit.alpha;
      metrics['powerlaw-beta'] = fit.beta;
      metrics['powerlaw-gamma'] = fit.gamma;
      metrics['powerlaw-r2'] = fit.r2;
      metrics['dev-at-max'] = y[y.length - 1] - powerLaw(fit, x[x.length - 1]);
    }
    return metrics;
  },
};
