// The paper's MNIST-MLP statements as checks on a run of the `repair` suite (issue claims and the
// spec's acceptance outcomes 1–6). Means are over the seed pairs present in the run.
import type { Claim, ClaimVerdict, LeaderboardView, ResultRow } from '../../harness/api/index.ts';

const TASK = 'repair/interpolation-barrier';
const M = (id: string) => `repair/${id}`;

interface Shape {
  width: number;
  depth: number;
}

const shapeOf = (r: ResultRow): Shape => {
  const p = JSON.parse(r.params) as Shape;
  return { width: p.width, depth: p.depth };
};

function rowsOf(view: LeaderboardView, method: string, metric: string, where: Partial<Shape> = {}): ResultRow[] {
  return view.rows.filter((r) => {
    if (r.task !== TASK || r.method !== M(method) || r.metric !== metric || r.value === null) return false;
    const s = shapeOf(r);
    return (where.width === undefined || s.width === where.width) && (where.depth === undefined || s.depth === where.depth);
  });
}

const mean = (rows: ResultRow[]) => rows.reduce((s, r) => s + r.value!, 0) / rows.length;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const perPair = (rows: ResultRow[], f: (x: number) => string) => rows.map((r) => `pair ${r.seed}: ${f(r.value!)}`).join(', ');
const notChecked = (why: string): ClaimVerdict => ({ status: 'not-checked', why });

/** Widths or depths present in the run for `method`, sorted. */
function axis(view: LeaderboardView, method: string, key: keyof Shape, fixed: Partial<Shape>): number[] {
  return [...new Set(rowsOf(view, method, 'barrier-mid-loss', fixed).map((r) => shapeOf(r)[key]))].sort((a, b) => a - b);
}

function reductionAt(view: LeaderboardView, metric: 'rel-reduction-loss' | 'rel-reduction-acc', threshold: number, paperWhy: string): ClaimVerdict {
  const rows = rowsOf(view, 'repair', metric, { width: 128, depth: 10 });
  if (rows.length === 0) return notChecked('no `repair` rows at width 128, depth 10 in this run');
  const m = mean(rows);
  return {
    status: m >= threshold ? 'holds' : 'fails',
    measured: `mean ${pct(m)} over ${rows.length} pairs (${perPair(rows, pct)})`,
    why: `needs the mean over pairs of 1 − B_mid(repair)/B_mid(permute) ≥ ${pct(threshold)} (${paperWhy})`,
  };
}

function varianceRestored(view: LeaderboardView): ClaimVerdict {
  const depths = axis(view, 'repair', 'depth', { width: 128 });
  if (depths.length === 0) return notChecked('no `repair` rows at width 128 in this run');
  const parts: string[] = [];
  let worst = 0;
  for (const depth of depths) {
    const ratios: number[] = [];
    for (let l = 1; l <= depth; l++) {
      const rows = rowsOf(view, 'repair', `var-ratio-layer-${l}`, { width: 128, depth });
      if (rows.length) ratios.push(mean(rows));
    }
    worst = Math.max(worst, ...ratios.map((r) => Math.abs(r - 1)));
    parts.push(`depth ${depth}: [${ratios.map((r) => r.toFixed(3)).join(', ')}]`);
  }
  return {
    status: worst <= 0.05 ? 'holds' : 'fails',
    measured: `REPAIR'd variance ratios at α = ½, width 128, mean over pairs per layer — ${parts.join('; ')}; largest |ratio − 1| = ${worst.toFixed(3)}`,
    why: 'needs every hidden layer\'s pair-mean ratio within 1 ± 0.05, at every depth of the run (width 128)',
  };
}

function naiveNearChance(view: LeaderboardView): ClaimVerdict {
  const rows = rowsOf(view, 'naive', 'acc-at-050').filter((r) => shapeOf(r).depth >= 4);
  if (rows.length === 0) return notChecked('no `naive` rows at depth ≥ 4 in this run');
  const worst = rows.reduce((x, y) => (y.value! > x.value! ? y : x));
  return {
    status: worst.value! <= 0.2 ? 'holds' : 'fails',
    measured: `naive midpoint accuracy ≤ ${pct(worst.value!)} over ${rows.length} pairs at depth ≥ 4 (largest at ${JSON.stringify(shapeOf(worst))}, pair ${worst.seed})`,
    why: 'needs every naive midpoint at depth ≥ 4 at or below 20 % accuracy, i.e. within 10 points of chance (10 %); the repository has 9.74 % (spec acceptance 2)',
  };
}

export const claims: Record<string, Claim> = {
  'repair-halves-loss-barrier': {
    check: (view) => reductionAt(view, 'rel-reduction-loss', 0.5, 'midpoint loss barrier; the repository has −73 % at h = 128'),
  },
  'repair-cuts-accuracy-barrier': {
    check: (view) => reductionAt(view, 'rel-reduction-acc', 0.6, 'midpoint accuracy barrier; the repository has −84 %'),
  },
  'reduction-grows-with-width': {
    check(view): ClaimVerdict {
      const widths = [32, 128, 256];
      const means = widths.map((width) => rowsOf(view, 'repair', 'rel-reduction-loss', { width, depth: 10 }));
      if (means.some((rows) => rows.length === 0)) return notChecked('needs `repair` rows at widths 32, 128 and 256 (depth 10)');
      const all = axis(view, 'repair', 'width', { depth: 10 }).map((width) => `h = ${width}: ${pct(mean(rowsOf(view, 'repair', 'rel-reduction-loss', { width, depth: 10 })))}`);
      const [a, b, c] = means.map(mean);
      return {
        status: a < b && b < c ? 'holds' : 'fails',
        measured: `mean loss-barrier reduction at depth 10: ${all.join(', ')}`,
        why: 'needs h = 32 < h = 128 < h = 256 (spec acceptance 5; the repository itself has h = 64 slightly above h = 128, so h = 64 is reported, not ordered)',
      };
    },
  },
  'variance-restored': { check: (view) => varianceRestored(view) },
  'variance-restored-across-depth': { check: (view) => varianceRestored(view) },
  'permutation-exact': {
    check(view): ClaimVerdict {
      const deltas = [...rowsOf(view, 'permute', 'perm-max-logit-delta'), ...rowsOf(view, 'permute-weights', 'perm-max-logit-delta')];
      const acc = [...rowsOf(view, 'permute', 'perm-acc-delta'), ...rowsOf(view, 'permute-weights', 'perm-acc-delta')];
      if (deltas.length === 0) return notChecked('no `permute` or `permute-weights` rows in this run');
      const worst = Math.max(...deltas.map((r) => r.value!));
      const accWorst = Math.max(...acc.map((r) => r.value!));
      return {
        status: worst < 1e-4 && accWorst === 0 ? 'holds' : 'fails',
        measured: `largest max |Δlogit| ${worst.toExponential(2)} and largest |Δacc| ${accWorst} over ${deltas.length} aligned networks`,
        why: 'needs max |Δlogit| < 1e-4 and identical test accuracy for every permuted B (spec acceptance 1)',
      };
    },
  },
  'naive-midpoint-near-chance': { check: (view) => naiveNearChance(view) },
  'naive-midpoint-near-chance-depth': { check: (view) => naiveNearChance(view) },
  'aligned-variance-collapse': {
    check(view): ClaimVerdict {
      const ratios: number[] = [];
      for (let l = 1; l <= 10; l++) {
        const rows = rowsOf(view, 'permute', `var-ratio-layer-${l}`, { width: 128, depth: 10 });
        if (rows.length) ratios.push(mean(rows));
      }
      if (ratios.length < 2) return notChecked('no `permute` rows at width 128, depth 10 in this run');
      const falls = ratios.every((r, l) => l === 0 || r <= ratios[l - 1]);
      return {
        status: falls ? 'holds' : 'fails',
        measured: `aligned (no REPAIR) variance ratios at α = ½, pair means, layers 1…${ratios.length}: [${ratios.map((r) => r.toFixed(3)).join(', ')}]`,
        why: 'needs the ratio to fall (never rise) from each hidden layer to the next (spec acceptance 3; repository: 0.71, 0.58, 0.42, 0.23, 0.13, …)',
      };
    },
  },
  'aligned-barrier-grows-with-depth': {
    check(view): ClaimVerdict {
      const depths = axis(view, 'permute', 'depth', { width: 128 });
      if (depths.length < 2) return notChecked('needs `permute` rows at two or more depths at width 128');
      const values = depths.map((depth) => mean(rowsOf(view, 'permute', 'barrier-mid-loss', { width: 128, depth })));
      return {
        status: values[values.length - 1] > values[0] ? 'holds' : 'fails',
        measured: `aligned midpoint loss barrier, width 128: ${depths.map((d, k) => `depth ${d}: ${values[k].toFixed(3)}`).join(', ')}`,
        why: `needs the deepest network's barrier above the shallowest's (spec acceptance 5; the repository's own depth sweep is not monotone: 0.161 at 3, 0.147 at 5, 0.738 at 9 mid layers, i.e. our depths 4, 6 and 10)`,
      };
    },
  },
  'closed-form-matches-shallow': {
    check(view): ClaimVerdict {
      const depths = axis(view, 'repair-closed-form', 'depth', { width: 128 });
      if (depths.length === 0 || depths[0] > 4) return notChecked('needs `repair` and `repair-closed-form` rows at depth ≤ 4, width 128');
      const depth = depths[0];
      const gap = mean(rowsOf(view, 'repair', 'acc-at-050', { width: 128, depth })) - mean(rowsOf(view, 'repair-closed-form', 'acc-at-050', { width: 128, depth }));
      return {
        status: Math.abs(gap) <= 0.02 ? 'holds' : 'fails',
        measured: `midpoint accuracy, forward-pass − closed-form at depth ${depth}: ${(100 * gap).toFixed(2)} points`,
        why: 'needs the two REPAIR variants within 2 accuracy points at the shallowest depth (spec acceptance 6)',
      };
    },
  },
  'closed-form-no-better-deep': {
    check(view): ClaimVerdict {
      const fwd = rowsOf(view, 'repair', 'barrier-mid-loss', { width: 128, depth: 10 });
      const cf = rowsOf(view, 'repair-closed-form', 'barrier-mid-loss', { width: 128, depth: 10 });
      if (fwd.length === 0 || cf.length === 0) return notChecked('needs `repair` and `repair-closed-form` rows at width 128, depth 10');
      const [f, c] = [mean(fwd), mean(cf)];
      return {
        status: c >= f ? 'holds' : 'fails',
        measured: `mean midpoint loss barrier at width 128, depth 10: forward-pass ${f.toFixed(3)}, closed form ${c.toFixed(3)}`,
        why: 'needs the closed form no better (barrier ≥) than the forward-pass variant at depth 10 (spec acceptance 6: the closed form is exact only at the first layer)',
      };
    },
  },
};
