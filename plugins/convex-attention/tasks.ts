// Tasks: `equivalence` (convex optimum vs non-convex training, spec E1) and `sparsity` (β path, E2).
import type { Json, RunContext, ScoreResult, Task } from '../../harness/api/index.ts';
import {
  activeTokens, convexObjective, dataGradient, fista, headsObjective, headsToZ, kktAt, kktResidual, mapToHeads, powerIteration,
} from './convex.ts';
import { toHeads, type RawHeads } from './nonconvex.ts';
import { DEFAULT_TEACHER, teacherProblem, type TeacherProblem } from './problem.ts';
import { modularDivision, stepsTo } from './grokking.ts';

/** Relative tolerance within which a start counts as having reached the optimum. */
export const REACH_TOL = 0.01;

export interface EquivalenceInstance {
  problem: TeacherProblem;
  beta: number;
  lipschitz: number;
  /** The convex optimum of Eq. (9), computed once here (deterministic FISTA, KKT < 1e-8). */
  optimum: number;
  optimumKkt: number;
}

export type EquivalenceOutput =
  | { kind: 'convex'; Z: Float64Array; iters: number; kkt: number; solveMs: number }
  | { kind: 'nonconvex'; starts: RawHeads[]; steps: number; solveMs: number };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const equivalence: Task<EquivalenceInstance, EquivalenceOutput> = {
  version: 1,
  prepare(ctx: RunContext, params) {
    const beta = params.beta as number;
    const problem = teacherProblem(ctx.rng, { ...DEFAULT_TEACHER });
    const lipschitz = powerIteration(problem).lambda;
    const solved = fista(problem, beta, { lipschitz });
    if (!solved.converged) throw new Error(`FISTA did not reach KKT < 1e-8 (residual ${solved.kkt})`);
    return { problem, beta, lipschitz, optimum: convexObjective(problem, solved.Z, beta), optimumKkt: solved.kkt };
  },
  score(_ctx, inst, output): ScoreResult {
    const { problem: p, beta, optimum } = inst;
    const gap = (obj: number) => (obj - optimum) / optimum;
    if (output.kind === 'convex') {
      const objective = convexObjective(p, output.Z, beta);
      const mapped = headsObjective(p, mapToHeads(output.Z, p.n, p.d), beta);
      const active = activeTokens(output.Z, p.n, p.d);
      return {
        metrics: {
          objective, 'objective-median': objective, 'gap-rel-best': gap(objective), 'gap-rel-median': gap(objective), 'gap-rel-worst': gap(objective),
          'frac-within-1pct': gap(objective) <= REACH_TOL ? 1 : 0, 'kkt-resid': kktAt(p, output.Z, beta), 'mapped-obj-err': Math.abs(mapped - objective),
          'solve-ms': output.solveMs, 'fista-iters': output.iters, 'active-tokens': active.length,
        },
        records: [{ beta, objective, mapped, active, support: p.support, iters: output.iters }],
      };
    }
    const objectives = output.starts.map((raw) => headsObjective(p, toHeads(raw, p.n), beta));
    let best = 0;
    objectives.forEach((o, i) => { if (o < objectives[best]) best = i; });
    const bestHeads = toHeads(output.starts[best], p.n);
    const gaps = objectives.map(gap);
    return {
      metrics: {
        objective: objectives[best], 'objective-median': median(objectives), 'gap-rel-best': gaps[best], 'gap-rel-median': median(gaps),
        'gap-rel-worst': Math.max(...gaps), 'frac-within-1pct': gaps.filter((g) => g <= REACH_TOL).length / gaps.length,
        // the certificate of Eq. (9) evaluated at the Z = Σ_j o_j a_j v_jᵀ the best start realises
        'kkt-resid': kktAt(p, headsToZ(bestHeads, p.n, p.d), beta), 'solve-ms': output.solveMs,
      },
      records: objectives.map((objective, start): Json => ({ beta, start, h: output.starts[start].h, steps: output.steps, objective, gap: gaps[start] })),
    };
  },
};

// ---- sparsity: the regularization path

/** Path β_k = β_max · 10^(−2.5 + 0.25k), k = 0..11; β_max = max_k ‖g_k(0)‖ (smallest β with Z* = 0). */
export const PATH_EXPONENTS = Array.from({ length: 12 }, (_, k) => -2.5 + 0.25 * k);
/** "Moderate β": β_max/10 (k = 6). */
export const MODERATE_INDEX = 6;

export interface PathInstance {
  problem: TeacherProblem;
  betaMax: number;
  betas: number[];
}

export interface PathPoint {
  beta: number;
  Z: Float64Array;
  iters: number;
  kkt: number;
}

export type PathOutput = { kind: 'path'; points: PathPoint[]; solveMs: number };

export function supportF1(found: number[], truth: number[]): number {
  if (found.length === 0 && truth.length === 0) return 1;
  const tp = found.filter((k) => truth.includes(k)).length;
  return (2 * tp) / (found.length + truth.length);
}

export const sparsity: Task<PathInstance, PathOutput> = {
  version: 1,
  prepare(ctx: RunContext, params) {
    const problem = teacherProblem(ctx.rng, { ...DEFAULT_TEACHER, N: (params.N as number | undefined) ?? DEFAULT_TEACHER.N });
    const G = new Float64Array(problem.n * problem.d);
    dataGradient(problem, new Float64Array(problem.n * problem.d), G);
    let betaMax = 0;
    for (let k = 0; k < problem.n; k++) {
      let s = 0;
      for (let c = 0; c < problem.d; c++) s += G[k * problem.d + c] ** 2;
      betaMax = Math.max(betaMax, Math.sqrt(s));
    }
    return { problem, betaMax, betas: PATH_EXPONENTS.map((e) => betaMax * 10 ** e) };
  },
  score(_ctx, inst, output): ScoreResult {
    const p = inst.problem;
    const counts: number[] = [];
    const f1s: number[] = [];
    const records: Json[] = [];
    let worstKkt = 0;
    for (const pt of output.points) {
      const active = activeTokens(pt.Z, p.n, p.d);
      const G = new Float64Array(p.n * p.d);
      dataGradient(p, pt.Z, G);
      const kkt = kktResidual(G, pt.Z, pt.beta, p.n, p.d);
      worstKkt = Math.max(worstKkt, kkt);
      counts.push(active.length);
      f1s.push(supportF1(active, p.support));
      records.push({ beta: pt.beta, betaOverMax: pt.beta / inst.betaMax, active, activeCount: active.length, f1: f1s.at(-1)!, kkt, iters: pt.iters, support: p.support });
    }
    const monotone = counts.every((c, i) => i === 0 || c <= counts[i - 1]) ? 1 : 0;
    return {
      metrics: {
        'active-monotone': monotone,
        'active-tokens-first': counts[0],
        'active-tokens-moderate': counts[MODERATE_INDEX],
        'active-tokens-last': counts.at(-1)!,
        'support-f1': f1s[MODERATE_INDEX],
        'support-f1-best': Math.max(...f1s),
        'nonzero-within-bound': Math.max(...counts) <= p.N + 1 ? 1 : 0,
        'kkt-resid': worstKkt,
        'beta-max': inst.betaMax,
        'solve-ms': output.solveMs,
      },
      records,
    };
  },
};

// ---- grokking: x / y mod p, softmax vs input-independent simplex attention (spec E3, directional)

export interface GrokInstance {
  data: import('./grokking.ts').GrokData;
  steps: number;
  evalEvery: number;
}

export interface GrokOutput {
  curve: import('./grokking.ts').EvalPoint[];
  stepsRun: number;
  trainMs: number;
}

export const grokking: Task<GrokInstance, GrokOutput> = {
  version: 1,
  prepare(ctx: RunContext, params) {
    const p = (params.p as number | undefined) ?? 23;
    const frac = (params.trainFrac as number | undefined) ?? 0.5;
    // drawn from the task's rng: the same split for both methods
    return { data: modularDivision(p, frac, ctx.rng), steps: params.steps as number, evalEvery: (params.evalEvery as number | undefined) ?? 100 };
  },
  score(_ctx, inst, out): ScoreResult {
    const tr = stepsTo(out.curve, 'trainAcc');
    const te = stepsTo(out.curve, 'testAcc');
    const last = out.curve.at(-1)!;
    return {
      metrics: {
        'steps-to-99-train': tr ?? inst.steps + 1,
        'steps-to-99-test': te ?? inst.steps + 1,
        generalized: te === null ? 0 : 1,
        'final-train-acc': last.trainAcc,
        'final-test-acc': last.testAcc,
        'steps-run': out.stepsRun,
      },
      records: [{ steps: inst.steps, evalEvery: inst.evalEvery, stepsRun: out.stepsRun, msPerStep: out.trainMs / out.stepsRun, curve: out.curve as unknown as Json }],
    };
  },
};
