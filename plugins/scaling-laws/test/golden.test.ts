/**
 * Per-curve extrapolation RMSE against golden values from the released reference code.
 *
 * Goldens produced by: /usr/bin/python3 (Python 3.11.2, Debian 12) with numpy 1.24.2,
 * scikit-learn 1.2.1, scipy 1.10.1, pandas 1.5.3, running the unmodified estimator classes of
 * google-research/google-research `revisiting_neural_scaling_laws/methods/{base,m1,m2,m3,m4}.py`
 * (m1–m4 at commit 1d4d2f1aa6f2883a790d2ae46a6ee8ab150d8f31) through a driver under /tmp that
 * follows the notebook: `fit_values = {x: y}` from the Training = 1 rows, M1–M3 with default
 * arguments, M4 with the per-domain settings, `estimate_scaling_params(verbose=0,
 * max_iterations=10_000)`, and the notebook's `get_error` on the Training = 0 rows. Values are
 * printed with 10 significant digits. Columns: RMSE of M1, M2, M3, M4; M4 (β, c, ε∞, ε0, α);
 * M3 (β, c, γ).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HARNESS_ROOT } from '../../../harness/plan/registry.ts';
import { loadBenchmarkCurves } from '../curves.ts';
import { ESTIMATORS, fitEstimator, m4OptionsForDomain, predictLoss } from '../estimators.ts';
import { extrapolationRmse } from '../metrics.ts';

const DATA_DIR = join(process.env.HARNESS_DATA_DIR ?? join(HARNESS_ROOT, 'data'), 'scaling-laws');
const HAVE_DATA = existsSync(join(DATA_DIR, 'benchmark.vision.csv')) && existsSync(join(DATA_DIR, 'benchmark.lang.csv'));

type M4Params = { beta: number; c: number; epsInf: number; eps0: number; alpha: number };
type M3Params = { beta: number; c: number; gamma: number };
const GOLDEN: [string, [number, number, number, number], M4Params, M3Params][] = [
  ["IC/cal_25/BiT/101/3", [0.1145081723, 0.1145081723, 0.1145081723, 0.1145081723], { beta: 27515.87519, c: -0.6950395498, epsInf: 0, eps0: 1.001, alpha: 0 }, { beta: 27515.87519, c: 0.6950395498, gamma: 0 }],
  ["IC/cal_25/MiX/L/16", [0.09658824519, 0.09658824519, 0.09658824519, 0.09658824519], { beta: 19575.79185, c: -0.6616348166, epsInf: 0, eps0: 0.9487455749, alpha: 0 }, { beta: 19575.79185, c: 0.6616348166, gamma: 0 }],
  ["IC/cal_10/MiX/B/16", [0.1345835081, 0.1345835081, 0.1345835081, 0.1916977571], { beta: 29208.47768, c: -0.6644065715, epsInf: 0, eps0: 0.9818238365, alpha: 0.1468792563 }, { beta: 7052.751499, c: 0.5854635811, gamma: 0 }],
  ["IC/cal_5/BiT/101/3", [0.211779742, 0.211779742, 0.211779742, 0.1645798059], { beta: 17086.03588, c: -0.6474790924, epsInf: 0.04073594013, eps0: 0.955759256, alpha: 0.05128788516 }, { beta: 3767.990854, c: 0.5511771219, gamma: 0 }],
  ["IC/bird_25/MiX/L/16", [0.112489358, 0.112489358, 0.112489358, 0.05444817707], { beta: 48960789.69, c: -1.010252457, epsInf: 0.1935813904, eps0: 0.9979887572, alpha: 0.6807678693 }, { beta: 232.5989533, c: 0.3387946634, gamma: 0 }],
  ["IC/c_25/MiX/B/16", [0.1075795641, 0.04749707463, 0.02095319306, 0.02242382942], { beta: 10238.50968, c: -0.5776202065, epsInf: 0.2603655888, eps0: 0.9979540301, alpha: 0.3671432634 }, { beta: 39.40689274, c: 0.2436105975, gamma: 1.47214671e-09 }],
  ["IC/inet_5/ViT/B/16", [0.04111673158, 0.04111673158, 0.04111673158, 0.01553078898], { beta: 4188.952716, c: -0.4788029358, epsInf: 0.2685019374, eps0: 0.9996198165, alpha: 0.2071537138 }, { beta: 26.86109398, c: 0.1966755973, gamma: 0 }],
  ["NMT/log_perplexity/6 Enc, 6 Dec", [0.2618694058, 0.03844828918, 0.08924526321, 0.02051550318], { beta: 3783.279248, c: -0.6385903667, epsInf: 0.3234387584, eps0: 0.9999310302, alpha: 0.135782982 }, { beta: 13.73199873, c: 0.2105343793, gamma: 1.344375275e-08 }],
  ["NMT/log_perplexity/28 Enc, 6 Dec", [0.1708482337, 0.05638429623, 0.03367762724, 0.01812245709], { beta: 6654.097246, c: -0.6163346553, epsInf: 0.2791590661, eps0: 0.9999503811, alpha: 0.7252353518 }, { beta: 12.05612127, c: 0.2002767647, gamma: 7.276504589e-09 }],
  ["NMT/log_perplexity/6 Enc, 28 Dec", [0.2340262412, 0.05273785351, 0.01654033816, 0.04444211307], { beta: 218.3794449, c: -0.4243074656, epsInf: 0.2402803907, eps0: 1.001393293, alpha: 0.0237534913 }, { beta: 25.78957499, c: 0.249489513, gamma: 1.38911419e-08 }],
  ["NMT/log_perplexity/Dec-only", [0.2519717539, 0.01033538006, 0.03280004517, 0.008429343565], { beta: 88990.02031, c: -0.8731537401, epsInf: 0.3772008228, eps0: 0.9947210136, alpha: 0.283346451 }, { beta: 33.74666128, c: 0.2798832956, gamma: 9.734147726e-08 }],
  ["NMT/log_perplexity/TEnc-LSTM", [0.1899155212, 0.01257077944, 0.06316677322, 0.01257077944], { beta: 1067.586396, c: -0.5644590304, epsInf: 0.3548164413, eps0: 1.54907455, alpha: 0 }, { beta: 8.337623802, c: 0.175743589, gamma: 1.257527334e-08 }],
  ["LM/val_loss/1.34e+08", [0.01432304, 0.001461690936, 0.0006459023321, 0.001461690936], { beta: 500.8825829, c: -0.3799186202, epsInf: 0.8666227507, eps0: 1.051325723, alpha: 0 }, { beta: 2.495199081, c: 0.04247473794, gamma: 2.765611229e-11 }],
  ["LM/val_loss/4.53e+08", [0.01653165227, 0.0007409127622, 0.0006582015825, 0.0007409127619], { beta: 680.4642899, c: -0.3825659341, epsInf: 0.829306573, eps0: 1.034883629, alpha: 0 }, { beta: 3.206215888, c: 0.05410709645, gamma: 2.51109196e-11 }],
  ["LM/val_loss/1.07e+09", [0.01711239969, 0.001660605541, 0.004499993442, 0.001276521305], { beta: 325.8750916, c: -0.3379832367, epsInf: 0.7901247798, eps0: 1, alpha: 0.003248261561 }, { beta: 3.137552239, c: 0.05309437126, gamma: 1.050318637e-11 }],
  ["BB/('date', '1-shot')/262M", [0.03194258448, 0.03194258448, 0.004674703986, 0.03194258448], { beta: 1.551299645, c: -0.03084868353, epsInf: 0, eps0: 1.001, alpha: 0 }, { beta: 5.285058612, c: 0.08675463353, gamma: 9.083121928e-11 }],
  ["BB/('unit', '1-shot')/262M", [0.00829870991, 0.00829870991, 0.001477371517, 0.004786541846], { beta: 1, c: -0.1007328622, epsInf: 0.4624269718, eps0: 1.001, alpha: 0 }, { beta: 0.9549809929, c: 0.02316541217, gamma: 1.160704217e-11 }],
  ["BB/('unit', '2-shot')/262M", [0.01071251936, 0.01071251936, 0.007503297319, 0.007550741644], { beta: 1, c: -0.09363538733, epsInf: 0.430533289, eps0: 1.001, alpha: 0 }, { beta: 0.8857497069, c: 0.02094525654, gamma: 2.550856827e-12 }],
  ["BB/('ling', '2-shot')/262M", [0.01698983862, 0.01698983862, 0.01698983862, 0.01062058481], { beta: 17066.04256, c: -0.4688021452, epsInf: 0.7877511829, eps0: 0.9994014886, alpha: 0.2274488662 }, { beta: 2.570254983, c: 0.04304085572, gamma: 0 }],
];

const close = (ours: number, ref: number, rel: number, abs: number): boolean =>
  Math.abs(ours - ref) <= abs || Math.abs(ours - ref) <= rel * Math.abs(ref);

for (const domain of ['IC', 'NMT', 'LM', 'BB'] as const) {
  test(`${domain}: per-curve RMSE matches the reference code (M1–M3 1 % / 1e-4, M4 5 %)`, (t) => {
    if (!HAVE_DATA) {
      t.skip(`no data at ${DATA_DIR}`);
      return;
    }
    const curves = new Map(loadBenchmarkCurves(DATA_DIR).map((c) => [c.id, c]));
    const rows = GOLDEN.filter(([id]) => id.startsWith(`${domain}/`));
    assert.ok(rows.length >= 3);
    for (const [id, rmse, m4, m3] of rows) {
      const curve = curves.get(id);
      assert.ok(curve, `missing curve ${id}`);
      ESTIMATORS.forEach((m, j) => {
        const fit = fitEstimator(m, curve.fitX, curve.fitY, { m4: m4OptionsForDomain(curve.domain) });
        const ours = extrapolationRmse(predictLoss(fit, curve.testX), curve.testY);
        const tol = m === 'M4' ? 0.05 : 0.01;
        assert.ok(close(ours, rmse[j], tol, 1e-4), `${id} ${m}: RMSE ${ours} vs reference ${rmse[j]}`);
        if (m === 'M4') {
          assert.ok(fit.beta >= 1, `${id}: the reference NNLS forces β ≥ 1`);
          assert.ok(close(fit.c, m4.c, 0.05, 1e-3), `${id} M4 c ${fit.c} vs ${m4.c}`);
          assert.ok(close(fit.alpha, m4.alpha, 0.05, 1e-3), `${id} M4 α ${fit.alpha} vs ${m4.alpha}`);
          assert.ok(close(fit.epsInf, m4.epsInf, 0.05, 1e-3), `${id} M4 ε∞ ${fit.epsInf} vs ${m4.epsInf}`);
          assert.ok(close(fit.eps0, m4.eps0, 0.05, 1e-3), `${id} M4 ε0 ${fit.eps0} vs ${m4.eps0}`);
        }
        if (m === 'M3') {
          assert.ok(close(fit.c, m3.c, 0.01, 1e-4), `${id} M3 c ${fit.c} vs ${m3.c}`);
          assert.ok(close(fit.gamma, m3.gamma, 0.01, 1e-9), `${id} M3 γ ${fit.gamma} vs ${m3.gamma}`);
        }
      });
    }
  });
}
