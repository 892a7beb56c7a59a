// The exactness check behind the `fft-equals-direct` claim (spec acceptance 1), as plain numbers:
// the FFT causal convolution against the direct O(L²) sum, and its custom gradient against the
// direct analytic gradient and against central finite differences of a non-linear loss
// ℓ = Σ w⊙y + ½Σ y² (so dℓ/dy = w + y), all in float64 except the op under test (fp32 in/out).
import type { Rng } from '../../harness/api/index.ts';
import { causalConvReference, fftCausalConvArrays, fftCausalConvGradArrays } from '../../harness/nn/ssm/index.ts';

export interface ConvCheck {
  /** max |y_fft − y_direct| */
  forwardMaxAbsDiff: number;
  /** max |∇_fft − ∇_direct| over du and dk, divided by max |∇_direct| */
  gradMaxRelDiff: number;
  /** worst relative error of directional derivatives ⟨∇, d⟩ vs central finite differences */
  gradFiniteDiffRelErr: number;
}

/** Direct gradients of ℓ with dℓ/dy = g: du[s] = Σ_{t≥s} g[t]k[t−s], dk[l] = Σ_b Σ_{t≥l} g[t]u[t−l]. */
export function causalConvGradReference(u: ArrayLike<number>, k: ArrayLike<number>, g: ArrayLike<number>, B: number, L: number, H: number) {
  const du = new Float64Array(B * L * H);
  const dk = new Float64Array(H * L);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < L; t++) {
        const gt = g[(b * L + t) * H + h];
        if (gt === 0) continue;
        for (let l = 0; l <= t; l++) {
          du[(b * L + t - l) * H + h] += gt * k[h * L + l];
          dk[h * L + l] += gt * u[(b * L + t - l) * H + h];
        }
      }
    }
  }
  return { du, dk };
}

export function checkFftConv(rng: Rng, B: number, L: number, H: number, directions = 4): ConvCheck {
  const normal = (n: number, decay = 0) => Float32Array.from({ length: n }, (_, i) => rng.normal() * (decay ? Math.exp(-(i % L) / decay) : 1));
  const u = normal(B * L * H);
  const k = normal(H * L, 64); // a decaying kernel, like a trained DSS kernel
  const w = normal(B * L * H);
  const yFft = fftCausalConvArrays(u, k, B, L, H);
  const yRef = causalConvReference(u, k, B, L, H);
  let forwardMaxAbsDiff = 0;
  for (let i = 0; i < yRef.length; i++) forwardMaxAbsDiff = Math.max(forwardMaxAbsDiff, Math.abs(yFft[i] - yRef[i]));

  const g = Float32Array.from(yRef, (y, i) => w[i] + y); // dℓ/dy at the reference output
  const fft = fftCausalConvGradArrays(u, k, g, B, L, H);
  const ref = causalConvGradReference(u, k, g, B, L, H);
  let diff = 0;
  let scale = 0;
  for (const [a, r] of [[fft.du, ref.du], [fft.dk, ref.dk]] as const) {
    for (let i = 0; i < r.length; i++) {
      diff = Math.max(diff, Math.abs(a[i] - r[i]));
      scale = Math.max(scale, Math.abs(r[i]));
    }
  }

  const loss = (uu: ArrayLike<number>, kk: ArrayLike<number>) => {
    const y = causalConvReference(uu, kk, B, L, H);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += w[i] * y[i] + 0.5 * y[i] * y[i];
    return s;
  };
  const eps = 1e-3;
  let gradFiniteDiffRelErr = 0;
  for (let r = 0; r < directions; r++) {
    for (const which of ['u', 'k'] as const) {
      const base = which === 'u' ? u : k;
      const grad = which === 'u' ? fft.du : fft.dk;
      const d = Float64Array.from({ length: base.length }, () => rng.normal());
      const plus = Float64Array.from(base, (x, i) => x + eps * d[i]);
      const minus = Float64Array.from(base, (x, i) => x - eps * d[i]);
      const numeric = which === 'u' ? (loss(plus, k) - loss(minus, k)) / (2 * eps) : (loss(u, plus) - loss(u, minus)) / (2 * eps);
      let analytic = 0;
      for (let i = 0; i < d.length; i++) analytic += grad[i] * d[i];
      gradFiniteDiffRelErr = Math.max(gradFiniteDiffRelErr, Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-12));
    }
  }
  return { forwardMaxAbsDiff, gradMaxRelDiff: diff / scale, gradFiniteDiffRelErr };
}
