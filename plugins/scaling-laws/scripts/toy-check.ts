/**
 * Fig. 2 toy check outside the harness: for seeds 1..10 (mulberry32, not the suite's seeds),
 * generate the logistic-regression learning curve, fit M2 and M4 on τ ≤ x ≤ x_max/2 for
 * τ ∈ {0, 2^8, 2^11} and compare the extrapolation RMSE on x > x_max/2 and M4's ε̂∞ with the Bayes
 * risk δ = 0.2.
 *
 *   node --import tsx plugins/scaling-laws/scripts/toy-check.ts [exact|heldout] [pointsPerOctave] [maxLog2]
 *
 * Defaults are the full suite's grid (4 sizes per octave, n up to 2^18) and M4 gets the toy's
 * settings from methods.ts (ε0 at the random-guess error 0.5).
 */
import { logisticToyCurve, mulberry32, splitByCutoff } from '../toy.ts';
import { fitM2, fitM4, predictLoss } from '../estimators.ts';
import { m4Options } from '../methods.ts';
import { TOY_GRID } from '../tasks.ts';
import { extrapolationRmse } from '../metrics.ts';

const mode = (process.argv[2] ?? 'exact') as 'exact' | 'heldout';
const ppo = Number(process.argv[3] ?? TOY_GRID.full.pointsPerOctave);
const maxLog2 = Number(process.argv[4] ?? TOY_GRID.full.maxLog2);
const taus = [0, 2 ** 8, 2 ** 11];
const stats = taus.map(() => ({ wins: 0, close: 0, lines: [] as string[] }));
for (let seed = 1; seed <= 10; seed++) {
  const t = performance.now();
  const curve = logisticToyCurve(mulberry32(seed), { testError: mode, pointsPerOctave: ppo, maxLog2 });
  const gen = performance.now() - t;
  console.log(`seed ${seed}: curve in ${gen.toFixed(0)} ms  y = ${curve.y.map((v) => v.toFixed(4)).join(' ')}`);
  taus.forEach((tau, k) => {
    const s = splitByCutoff(curve, tau);
    const f2 = fitM2(s.fitX, s.fitY);
    const f4 = fitM4(s.fitX, s.fitY, m4Options({ id: `toy/tau=${tau}`, domain: 'toy', ...s }));
    const r2 = extrapolationRmse(predictLoss(f2, s.testX), s.testY);
    const r4 = extrapolationRmse(predictLoss(f4, s.testX), s.testY);
    if (r4 < r2) stats[k].wins++;
    if (Math.abs(f4.epsInf - 0.2) <= 0.02) stats[k].close++;
    stats[k].lines.push(
      `  seed ${seed}: M2 ${r2.toFixed(4)} (ε∞ ${f2.epsInf.toFixed(3)})  M4 ${r4.toFixed(4)} (ε∞ ${f4.epsInf.toFixed(3)}, α ${f4.alpha.toFixed(2)}, c ${f4.c.toFixed(2)}, β ${f4.beta.toFixed(2)})`,
    );
  });
}
taus.forEach((tau, k) => {
  console.log(`τ = ${tau}: M4 RMSE < M2 RMSE in ${stats[k].wins}/10 seeds; |ε̂∞(M4) − 0.2| ≤ 0.02 in ${stats[k].close}/10`);
  console.log(stats[k].lines.join('\n'));
});
