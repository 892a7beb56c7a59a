// The paper's and the spec's statements as checks on a run of the `sequence-modeling` suite.
import type { Claim, ClaimVerdict, LeaderboardView, ResultRow } from '../../harness/api/index.ts';

const P = 'gss';
const LM = `${P}/language-modeling`;
const STEP = `${P}/step-time`;
const CONV = `${P}/fft-conv-check`;

const rowsOf = (view: LeaderboardView, task: string, method: string, metric: string): ResultRow[] =>
  view.rows.filter((r) => r.task === task && r.method === `${P}/${method}` && r.metric === metric && r.value !== null);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const lengthOf = (row: ResultRow) => (JSON.parse(row.params) as { length: number }).length;

/** Mean value per sequence length (over seeds) of a step-time metric, sorted by length. */
function byLength(view: LeaderboardView, method: string): Array<[number, number]> {
  const groups = new Map<number, number[]>();
  for (const r of rowsOf(view, STEP, method, 'ms-per-step')) {
    const L = lengthOf(r);
    groups.set(L, [...(groups.get(L) ?? []), r.value!]);
  }
  return [...groups.entries()].map(([L, v]) => [L, mean(v)] as [number, number]).sort((a, b) => a[0] - b[0]);
}

/** Least-squares slope of log(ms) against log(L). */
export function logLogSlope(points: Array<[number, number]>): number {
  const xs = points.map(([L]) => Math.log(L));
  const ys = points.map(([, ms]) => Math.log(ms));
  const mx = mean(xs);
  const my = mean(ys);
  let num = 0;
  let den = 0;
  xs.forEach((x, i) => {
    num += (x - mx) * (ys[i] - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

/** The smallest tested L from which GSS is faster at every larger tested L, or null. */
export function crossover(gss: Array<[number, number]>, attention: Array<[number, number]>): number | null {
  const att = new Map(attention);
  const shared = gss.filter(([L]) => att.has(L));
  let from: number | null = null;
  for (let i = shared.length - 1; i >= 0; i--) {
    const [L, ms] = shared[i];
    if (ms < att.get(L)!) from = L;
    else break;
  }
  return from;
}

const fmtCurve = (pts: Array<[number, number]>) => pts.map(([L, ms]) => `${L}: ${ms.toFixed(0)}`).join(', ');

export const claims: Record<string, Claim> = {
  'fft-equals-direct': {
    check(view): ClaimVerdict {
      const fwd = rowsOf(view, CONV, 'fft-conv', 'conv-max-abs-diff');
      const fd = rowsOf(view, CONV, 'fft-conv', 'grad-fd-rel-err');
      const direct = rowsOf(view, CONV, 'fft-conv', 'grad-max-rel-diff');
      if (fwd.length === 0 || fd.length === 0) return { status: 'not-checked', why: 'no fft-conv-check rows in this run' };
      const worstFwd = Math.max(...fwd.map((r) => r.value!));
      const worstFd = Math.max(...fd.map((r) => r.value!));
      const worstDirect = Math.max(...direct.map((r) => r.value!));
      const lengths = [...new Set(fwd.map(lengthOf))].sort((a, b) => a - b).join(', ');
      return {
        status: worstFwd < 1e-4 && worstFd < 1e-3 ? 'holds' : 'fails',
        measured: `L ∈ {${lengths}}: max |y_fft − y_direct| = ${worstFwd.toExponential(2)}; gradient vs finite differences: worst relative error ${worstFd.toExponential(2)}; vs the direct analytic gradient: ${worstDirect.toExponential(2)} (scaled max)`,
        why: 'needs max |Δ| < 1e-4 (fp32) and gradient relative error < 1e-3 at every tested length (spec acceptance 1)',
      };
    },
  },
  'gss-nlogn-attention-quadratic': {
    check(view): ClaimVerdict {
      const gss = byLength(view, 'gss');
      const att = byLength(view, 'transformer');
      if (gss.length < 3 || att.length < 3) return { status: 'not-checked', why: 'needs step-time rows at ≥ 3 lengths for gss and transformer' };
      const gssLarge = gss.filter(([L]) => L >= 1024);
      if (gssLarge.length < 2) return { status: 'not-checked', why: 'needs gss step times at ≥ 2 lengths ≥ 1024' };
      const gssSlope = logLogSlope(gssLarge);
      const attSlope = logLogSlope(att.slice(-2));
      const cross = crossover(gss, att);
      const ok = gssSlope >= 0.9 && gssSlope <= 1.3 && attSlope >= 1.7 && cross !== null && cross <= 1024;
      return {
        status: ok ? 'holds' : 'fails',
        measured: `log-log slope of ms/step: GSS ${gssSlope.toFixed(2)} (L ≥ 1024), attention ${attSlope.toFixed(2)} (between its two largest L); crossover L* = ${cross ?? 'none'}; GSS ms/step {${fmtCurve(gss)}}, attention {${fmtCurve(att)}}`,
        why: 'needs GSS slope in [0.9, 1.3] over L ≥ 1024 (L log L gives ≈ 1.1; below 1024 a batch-1 step is dominated by per-op overhead), attention slope ≥ 1.7 at its largest lengths (→ 2), and GSS faster than attention at every length from some L* ≤ 1024 on (spec acceptance 2)',
      };
    },
  },
  'gss-faster-than-dss': {
    check(view): ClaimVerdict {
      const g = rowsOf(view, LM, 'gss', 'train-ms-per-step');
      const d = rowsOf(view, LM, 'dss', 'train-ms-per-step');
      if (g.length === 0 || d.length === 0) return { status: 'not-checked', why: 'no language-modeling timing rows for both gss and dss' };
      const gp = rowsOf(view, LM, 'gss', 'param-count')[0]?.value;
      const dp = rowsOf(view, LM, 'dss', 'param-count')[0]?.value;
      const [gm, dm] = [mean(g.map((r) => r.value!)), mean(d.map((r) => r.value!))];
      // context only: the one-layer, batch-1 step times of the step-time task at every length
      const dssAt = new Map(byLength(view, 'dss'));
      const perLength = byLength(view, 'gss').filter(([L]) => dssAt.has(L)).map(([L, ms]) => `${L}: ${(dssAt.get(L)! / ms).toFixed(2)}×`);
      return {
        status: gm < dm ? 'holds' : 'fails',
        measured: `train ms/step at the training length: GSS ${gm.toFixed(0)} (${gp} parameters) vs DSS ${dm.toFixed(0)} (${dp} parameters), DSS/GSS = ${(dm / gm).toFixed(2)}×, means over ${g.length} and ${d.length} seeds${perLength.length ? `; one-layer step-time DSS/GSS by L: ${perLength.join(', ')}` : ''}`,
        why: 'needs GSS faster per training step than DSS at (nearly) equal parameters (spec acceptance 3; the paper reports 2–3× on TPU)',
      };
    },
  },
  'gss-length-generalization': {
    check(view): ClaimVerdict {
      const of = (metric: string) => rowsOf(view, LM, 'gss', metric).map((r) => r.value!);
      const [one, g2, g4] = [of('bpb-at-1x'), of('bpb-growth-2x'), of('bpb-growth-4x')];
      if (one.length === 0) return { status: 'not-checked', why: 'no gss language-modeling rows in this run' };
      const [m2, m4] = [mean(g2), mean(g4)];
      const att = rowsOf(view, LM, 'transformer', 'bpb-growth-4x').map((r) => r.value!);
      return {
        status: m2 <= 0.05 && m4 <= 0.05 ? 'holds' : 'fails',
        measured: `GSS bpb ${mean(one).toFixed(3)} at 1×; change at 2×: ${m2 >= 0 ? '+' : ''}${m2.toFixed(3)}, at 4×: ${m4 >= 0 ? '+' : ''}${m4.toFixed(3)} (mean over ${one.length} seeds, same scored bytes)${att.length ? `; RoPE Transformer at 4×: ${mean(att) >= 0 ? '+' : ''}${mean(att).toFixed(3)}` : ''}`,
        why: 'needs bpb(2×) ≤ bpb(1×) + 0.05 and bpb(4×) ≤ bpb(1×) + 0.05 (spec acceptance 4; paper: zero-shot generalization to longer inputs)',
      };
    },
  },
  'gss-close-to-attention': {
    check(view): ClaimVerdict {
      const g = rowsOf(view, LM, 'gss', 'bpb-at-1x').map((r) => r.value!);
      const t = rowsOf(view, LM, 'transformer', 'bpb-at-1x').map((r) => r.value!);
      if (g.length === 0 || t.length === 0) return { status: 'not-checked', why: 'no bpb-at-1x rows for both gss and transformer' };
      const ratio = mean(g) / mean(t);
      return {
        status: ratio <= 1.05 ? 'holds' : 'fails',
        measured: `bpb at the training length: GSS ${mean(g).toFixed(3)} vs RoPE Transformer ${mean(t).toFixed(3)} (GSS/Transformer = ${ratio.toFixed(3)})`,
        why: 'needs GSS bpb ≤ 1.05 × the Transformer\'s at the training length (spec acceptance 5)',
      };
    },
  },
};
