// Methods on the interpolation-barrier task: plain interpolation, activation or weight matching, and
// activation matching followed by REPAIR (forward-pass or closed form), each evaluated along the α grid.
import { createRng, deriveSeed, type Method, type RunContext } from '../../harness/api/index.ts';
import { evaluate, type Tf, type Weights } from '../../harness/nn/index.ts';
import { alignByWeights, matchedCorrelation } from './matching.ts';
import { identityPerms, interpolateWeights, permuteHiddenUnits } from './mlp.ts';
import { repairClosedForm, repairForwardPass, resetTargets } from './repair.ts';
import { pairedMoments, preactivationMoments, varianceRatios, type PairedMoments, type UnitMoments } from './statistics.ts';
import { maxAbsDifference, type CurveOutput, type PreparedPair } from './tasks.ts';

type Alignment = 'none' | 'activations' | 'weights';
type Repair = 'none' | 'forward' | 'closed-form';

/** Moments of B's units in the order of `perms` (unit i of π(B) is unit perms[i] of B). */
const permuteMoments = (m: UnitMoments[], perms: Int32Array[]): UnitMoments[] =>
  m.map((layer, l) => ({ mean: Float64Array.from(perms[l], (j) => layer.mean[j]), variance: Float64Array.from(perms[l], (j) => layer.variance[j]) }));

function curveMethod(alignment: Alignment, repair: Repair): Method<PreparedPair, CurveOutput> {
  return {
    task: 'interpolation-barrier',
    async run(ctx: RunContext, p: PreparedPair): Promise<CurveOutput> {
      const tf = (await ctx.tensors()).tf as Tf;
      const timings: CurveOutput['timings'] = {};
      let perms = identityPerms(p.a);
      let permMaxLogitDelta = 0;
      let permAccDelta = 0;
      let sweeps: number | undefined;
      if (alignment === 'activations') {
        // computed once per pair in prepare (deterministic), shared by every activation-matching method
        perms = p.activation.perms;
        permMaxLogitDelta = p.activation.maxLogitDelta;
        permAccDelta = p.activation.accDelta;
        timings.lapMs = p.activation.lapMs;
        timings.corrMs = p.corrMs;
      } else if (alignment === 'weights') {
        // the layer order comes from the pair and the shape only (not from the unit's seed, which
        // depends on the suite), so the same pair gets the same alignment in every suite
        const orderSeed = deriveSeed(['weight-matching-layer-order', p.seeds, p.params.width, p.params.depth]);
        const matched = alignByWeights(p.a, p.b, createRng(orderSeed));
        perms = matched.perms;
        sweeps = matched.sweeps;
        timings.lapMs = matched.lapMs;
        const check = evaluate(tf, p.spec, permuteHiddenUnits(p.b, perms), p.test);
        permMaxLogitDelta = maxAbsDifference(p.logitsB, check.logits);
        permAccDelta = Math.abs(check.acc - p.endpoints.accB);
      }
      const b = alignment === 'none' ? p.b : permuteHiddenUnits(p.b, perms);
      const momentsB = permuteMoments(p.momentsB, perms);
      let paired: PairedMoments[] | undefined;
      let repairMs = 0;
      if (repair === 'closed-form') {
        const t0 = performance.now();
        paired = pairedMoments(tf, p.spec, p.a, b, p.calib);
        repairMs += performance.now() - t0;
      }
      const loss: number[] = [];
      const acc: number[] = [];
      let ratios: number[] = [];
      for (const [k, alpha] of p.alphas.entries()) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error('aborted');
        let net: Weights = interpolateWeights(p.a, b, alpha);
        const t0 = performance.now();
        if (repair === 'forward') net = repairForwardPass(tf, net, resetTargets(p.momentsA, momentsB, alpha), p.calib);
        if (repair === 'closed-form') net = repairClosedForm(net, paired!, alpha);
        repairMs += performance.now() - t0;
        const result = evaluate(tf, p.spec, net, p.test);
        loss.push(result.loss);
        acc.push(result.acc);
        if (alpha === 0.5) ratios = varianceRatios(preactivationMoments(tf, p.spec, net, p.calib), p.momentsA, p.momentsB);
        ctx.progress((k + 1) / p.alphas.length, `α = ${alpha.toFixed(2)}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (repair !== 'none') timings.repairMs = repairMs;
      return {
        alphas: p.alphas, loss, acc, varianceRatios: ratios, lapObjective: matchedCorrelation(p.correlations, perms),
        permMaxLogitDelta, permAccDelta, timings, sweeps,
      };
    },
  };
}

export const methods = {
  naive: curveMethod('none', 'none'),
  permute: curveMethod('activations', 'none'),
  'permute-weights': curveMethod('weights', 'none'),
  repair: curveMethod('activations', 'forward'),
  'repair-closed-form': curveMethod('activations', 'closed-form'),
};
