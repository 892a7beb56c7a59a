// Methods: FISTA on the convex program, and Adam on the non-convex h-head model from random starts.
import type { BudgetName, Method, Params } from '../../harness/api/index.ts';
import { fista } from './convex.ts';
import { gramStats, randomStart, trainAdam } from './nonconvex.ts';
import type { EquivalenceInstance, EquivalenceOutput, GrokInstance, GrokOutput, PathInstance, PathOutput } from './tasks.ts';
import { DEFAULT_GROK, disposeModel, initModel, train, type AttentionKind, type Tf } from './grokking.ts';

/** Adam steps per start and starts per unit, by budget (a method param `steps`/`starts` overrides). */
export const TRAINING: Record<BudgetName, { steps: number; starts: number }> = {
  smoke: { steps: 300, starts: 3 },
  standard: { steps: 2000, starts: 10 },
  full: { steps: 5000, starts: 10 },
};

export const convexFista: Method<EquivalenceInstance | PathInstance, EquivalenceOutput | PathOutput> = {
  task: ['equivalence', 'sparsity'],
  run(_ctx, inst) {
    const t0 = performance.now();
    if ('betas' in inst) {
      // the path from the largest β down, each solve warm-started at the previous solution
      const points = [];
      let Z0: Float64Array | undefined;
      const byIndex = new Array(inst.betas.length);
      for (let k = inst.betas.length - 1; k >= 0; k--) {
        const r = fista(inst.problem, inst.betas[k], { Z0 });
        if (!r.converged) throw new Error(`FISTA did not converge at β = ${inst.betas[k]} (KKT ${r.kkt})`);
        byIndex[k] = { beta: inst.betas[k], Z: r.Z, iters: r.iters, kkt: r.kkt };
        Z0 = r.Z;
      }
      points.push(...byIndex);
      return { kind: 'path', points, solveMs: performance.now() - t0 };
    }
    const r = fista(inst.problem, inst.beta, { lipschitz: inst.lipschitz });
    if (!r.converged) throw new Error(`FISTA did not reach KKT < 1e-8 (residual ${r.kkt})`);
    return { kind: 'convex', Z: r.Z, iters: r.iters, kkt: r.kkt, solveMs: performance.now() - t0 };
  },
};

function nonconvex(heads: (n: number) => number): Method<EquivalenceInstance, EquivalenceOutput> {
  return {
    task: 'equivalence',
    run(ctx, inst, params: Params) {
      const t0 = performance.now();
      const p = inst.problem;
      const h = heads(p.n);
      const steps = (params.steps as number | undefined) ?? TRAINING[ctx.budget].steps;
      const count = (params.starts as number | undefined) ?? TRAINING[ctx.budget].starts;
      const st = gramStats(p);
      const starts = [];
      for (let s = 0; s < count; s++) {
        starts.push(trainAdam(st, randomStart(ctx.rng.fork(`start-${s}`), h, p.n, p.d), inst.beta, { steps }));
        ctx.progress((s + 1) / count);
      }
      return { kind: 'nonconvex', starts, steps, solveMs: performance.now() - t0 };
    },
  };
}

export const methods = {
  'convex-fista': convexFista,
  'nonconvex-h1': nonconvex(() => 1),
  'nonconvex-h2': nonconvex(() => 2),
  'nonconvex-hn': nonconvex((n) => n),
  'nonconvex-h2n': nonconvex((n) => 2 * n),
  'softmax-attention': grokMethod('softmax'),
  'simplex-attention': grokMethod('simplex'),
};

function grokMethod(kind: AttentionKind): Method<GrokInstance, GrokOutput> {
  return {
    task: 'grokking',
    async run(ctx, inst) {
      const tf = (await ctx.tensors()).tf as Tf;
      const model = initModel(tf, ctx.rng.fork('init'), kind, { ...DEFAULT_GROK, p: inst.data.p });
      try {
        return train(model, inst.data, ctx.rng.fork('batches'), {
          steps: inst.steps, evalEvery: inst.evalEvery, signal: ctx.signal, progress: (f) => ctx.progress(f),
        });
      } finally {
        disposeModel(model);
      }
    },
  };
}

