// Kernels, each checked against an independent implementation before it is timed.
import type { Kernel, Rng } from '../../harness/api/index.ts';
import { insertNeedles } from './needle.ts';
import { cumulativeNll, fitPowerLaw, type PowerLawFit } from './nll.ts';
import { ppmLogProbs } from './ppm.ts';

// ---- needle insertion with sentence-boundary backoff (O(n))

interface InsertionInput {
  haystack: Int32Array;
  needle: Int32Array;
  depth: number;
}

const BOUNDARY = 0; // token 0 plays the sentence-ending period
const needleInsertion: Kernel<InsertionInput, Int32Array> = {
  sizes: [{ tokens: 10_000 }, { tokens: 100_000 }, { tokens: 1_000_000 }],
  setup(size, rng) {
    const haystack = new Int32Array(size.tokens);
    // sentences of 5–60 tokens, each ending in the boundary token
    for (let i = 0, next = 5 + rng.int(56); i < haystack.length; i++) {
      if (i === next) {
        haystack[i] = BOUNDARY;
        next = i + 5 + rng.int(56);
      } else haystack[i] = 1 + rng.int(50_000);
    }
    return { haystack, needle: Int32Array.from({ length: 14 }, () => 1 + rng.int(50_000)), depth: 100 * rng.next() };
  },
  run: (inp) => insertNeedles(inp.haystack, [{ ids: inp.needle, depth: inp.depth }], (t) => t === BOUNDARY).ids,
  reference(inp) {
    // the last boundary strictly before the target index, by a forward scan over all boundaries
    const target = Math.floor((inp.haystack.length * inp.depth) / 100);
    let after = 0;
    inp.haystack.forEach((t, i) => {
      if (t === BOUNDARY && i + 1 <= target) after = i + 1;
    });
    return Int32Array.from([...inp.haystack.slice(0, after), ...inp.needle, ...inp.haystack.slice(after)]);
  },
  check(a, e) {
    if (a.length !== e.length) return `length ${a.length} ≠ ${e.length}`;
    const i = a.findIndex((v, j) => v !== e[j]);
    return i < 0 ? null : `first difference at token ${i}`;
  },
  items: (size) => size.tokens,
};

// ---- cumulative average NLL at T = 2^k by prefix sums

interface CumInput {
  docs: Float64Array[];
  positions: number[];
}
const cumulativeNllKernel: Kernel<CumInput, number[]> = {
  sizes: [{ docs: 4, tokens: 65_536 }, { docs: 4, tokens: 1_048_576 }],
  setup(size, rng) {
    const docs = Array.from({ length: size.docs }, (_, d) => Float64Array.from({ length: size.tokens >> d }, () => -Math.log(1 - rng.next())));
    const positions: number[] = [];
    for (let t = 128; t <= size.tokens; t *= 2) positions.push(t);
    return { docs, positions };
  },
  run: (inp) => cumulativeNll(inp.docs, inp.positions).values,
  reference(inp) {
    // direct definition: for each T, average the first T values of every long-enough document
    return inp.positions.map((T) => {
      const long = inp.docs.filter((d) => d.length >= T);
      const perDoc = long.map((d) => d.subarray(0, T).reduce((s, v) => s + v, 0) / T);
      return perDoc.reduce((s, v) => s + v, 0) / perDoc.length;
    });
  },
  check: (a, e) => {
    if (a.length !== e.length) return `${a.length} positions ≠ ${e.length}`;
    const bad = a.findIndex((v, i) => Math.abs(v - e[i]) > 1e-9 * Math.max(1, Math.abs(e[i])));
    return bad < 0 ? null : `C(T) differs at position index ${bad}: ${a[bad]} vs ${e[bad]}`;
  },
  items: (size) => size.docs * size.tokens,
};

// ---- power-law fit

interface FitInput {
  x: number[];
  y: number[];
}

/**
 * Variable projection: for fixed β the model α·T^β + γ is linear in (α, γ), solved in closed form
 * (γ clamped to [0, min y)); the SSE is then minimized over β ∈ [−3, 0) by a dense scan and golden-section
 * refinement. Independent of the γ-grid + Levenberg–Marquardt path of fitPowerLaw.
 */
export function fitPowerLawByProjection(x: number[], y: number[]): Pick<PowerLawFit, 'alpha' | 'beta' | 'gamma' | 'sse'> {
  const gMax = Math.min(...y) * (1 - 1e-9);
  const atBeta = (beta: number) => {
    const u = x.map((t) => t ** beta);
    const n = x.length;
    const su = u.reduce((s, v) => s + v, 0);
    const sy = y.reduce((s, v) => s + v, 0);
    const suu = u.reduce((s, v) => s + v * v, 0);
    const suy = u.reduce((s, v, i) => s + v * y[i], 0);
    const det = n * suu - su * su;
    let alpha = (n * suy - su * sy) / det;
    let gamma = (sy - alpha * su) / n;
    if (gamma < 0 || gamma > gMax) {
      gamma = Math.min(Math.max(gamma, 0), gMax);
      alpha = (suy - gamma * su) / suu;
    }
    const sse = y.reduce((s, v, i) => s + (v - alpha * u[i] - gamma) ** 2, 0);
    return { alpha, beta, gamma, sse };
  };
  let best = atBeta(-1e-6);
  for (let b = -3; b < 0; b += 0.001) {
    const r = atBeta(b);
    if (r.sse < best.sse) best = r;
  }
  let [lo, hi] = [Math.max(-3, best.beta - 0.001), Math.min(-1e-9, best.beta + 0.001)];
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100; i++) {
    const m1 = hi - phi * (hi - lo);
    const m2 = lo + phi * (hi - lo);
    if (atBeta(m1).sse < atBeta(m2).sse) hi = m2;
    else lo = m1;
  }
  const refined = atBeta((lo + hi) / 2);
  return refined.sse < best.sse ? refined : best;
}

const powerlawFit: Kernel<FitInput, { sse: number; params: number[] }> = {
  sizes: [{ points: 14 }, { points: 64 }],
  setup(size, rng: Rng) {
    const x = Array.from({ length: size.points }, (_, i) => 128 * 2 ** ((13 * i) / (size.points - 1)));
    const [alpha, beta, gamma] = [4 + 4 * rng.next(), -0.2 - 0.4 * rng.next(), 1 + rng.next()];
    return { x, y: x.map((t) => alpha * t ** beta + gamma + 0.002 * rng.normal()) };
  },
  run(inp) {
    const f = fitPowerLaw(inp.x, inp.y);
    return { sse: f.sse, params: [f.alpha, f.beta, f.gamma] };
  },
  reference(inp) {
    const f = fitPowerLawByProjection(inp.x, inp.y);
    return { sse: f.sse, params: [f.alpha, f.beta, f.gamma] };
  },
  check(a, e) {
    // both are local searches: require the same optimum up to 1e-6 relative SSE (or better)
    if (a.sse > e.sse * (1 + 1e-6) + 1e-15) return `SSE ${a.sse} is worse than the reference's ${e.sse}`;
    return null;
  },
};

// ---- PPM update + predict

interface PpmInput {
  ids: Int32Array;
  vocab: number;
}

/** A deliberately plain PPM-C blend: string-keyed context maps, recomputing every order each step. */
export function ppmLogProbsReference(ids: ArrayLike<number>, vocab: number, order = 6): Float64Array {
  const tables = new Map<string, { counts: Map<number, number>; n: number }>();
  const out = new Float64Array(Math.max(0, ids.length - 1));
  for (let t = 0; t < ids.length; t++) {
    if (t > 0) {
      let p = 1 / vocab;
      for (let k = 0; k <= Math.min(order, t); k++) {
        const table = tables.get(Array.prototype.slice.call(ids, t - k, t).join(','));
        if (!table) continue;
        const u = table.counts.size;
        p = ((table.counts.get(ids[t]) ?? 0) + u * p) / (table.n + u);
      }
      out[t - 1] = Math.log(p);
    }
    for (let k = 0; k <= Math.min(order, t); k++) {
      const key = Array.prototype.slice.call(ids, t - k, t).join(',');
      let table = tables.get(key);
      if (!table) tables.set(key, (table = { counts: new Map(), n: 0 }));
      table.counts.set(ids[t], (table.counts.get(ids[t]) ?? 0) + 1);
      table.n++;
    }
  }
  return out;
}

/** Token streams with repeats: random "phrases" from a Zipf-like vocabulary, some copied verbatim later. */
function phraseStream(rng: Rng, n: number, vocab: number): Int32Array {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; ) {
    if (i > 100 && rng.next() < 0.3) {
      const len = Math.min(5 + rng.int(30), n - i);
      const from = rng.int(i - len);
      for (let j = 0; j < len; j++) ids[i + j] = ids[from + j];
      i += len;
    } else ids[i++] = Math.min(vocab - 1, Math.floor(Math.exp(rng.next() * Math.log(vocab))) - 1);
  }
  return ids;
}

const ppmUpdatePredict: Kernel<PpmInput, Float64Array> = {
  sizes: [{ tokens: 10_000 }, { tokens: 100_000 }],
  setup: (size, rng) => ({ ids: phraseStream(rng, size.tokens, 100_256), vocab: 100_256 }),
  run: (inp) => ppmLogProbs(inp.ids, { order: 6, vocabSize: inp.vocab }),
  reference: (inp) => ppmLogProbsReference(inp.ids, inp.vocab, 6),
  check(a, e) {
    if (a.length !== e.length) return `${a.length} log-probs ≠ ${e.length}`;
    const bad = a.findIndex((v, i) => Math.abs(v - e[i]) > 1e-9);
    return bad < 0 ? null : `log-prob of token ${bad + 1}: ${a[bad]} vs ${e[bad]}`;
  },
  items: (size) => size.tokens,
};

// ---- causal attention forward vs n (one head, d = 64): O(n²·d)

interface AttentionInput {
  q: Float64Array;
  k: Float64Array;
  v: Float64Array;
  n: number;
  d: number;
}

/** Row-by-row causal attention with an online (streaming) softmax: no n×n matrix is stored. */
export function causalAttention(inp: AttentionInput): Float64Array {
  const { q, k, v, n, d } = inp;
  const out = new Float64Array(n * d);
  const scale = 1 / Math.sqrt(d);
  const acc = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    let z = 0;
    acc.fill(0);
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += q[i * d + c] * k[j * d + c];
      s *= scale;
      const mNew = Math.max(m, s);
      const decay = Math.exp(m - mNew);
      const w = Math.exp(s - mNew);
      z = z * decay + w;
      for (let c = 0; c < d; c++) acc[c] = acc[c] * decay + w * v[j * d + c];
      m = mNew;
    }
    for (let c = 0; c < d; c++) out[i * d + c] = acc[c] / z;
  }
  return out;
}

const attentionVsN: Kernel<AttentionInput, Float64Array> = {
  sizes: [{ n: 128 }, { n: 256 }, { n: 512 }, { n: 1024 }, { n: 2048 }],
  setup(size, rng) {
    const d = 64;
    const rand = () => Float64Array.from({ length: size.n * d }, () => rng.normal());
    return { q: rand(), k: rand(), v: rand(), n: size.n, d };
  },
  run: causalAttention,
  reference(inp) {
    // textbook: full score matrix with a −∞ mask above the diagonal, two-pass softmax, then P·V
    const { q, k, v, n, d } = inp;
    const S = Array.from({ length: n }, (_, i) =>
      Array.from({ length: n }, (_, j) => (j > i ? -Infinity : q.subarray(i * d, i * d + d).reduce((s, x, c) => s + x * k[j * d + c], 0) / Math.sqrt(d))));
    const out = new Float64Array(n * d);
    S.forEach((row, i) => {
      const m = Math.max(...row);
      const e = row.map((s) => Math.exp(s - m));
      const z = e.reduce((s, x) => s + x, 0);
      for (let j = 0; j < n; j++) for (let c = 0; c < d; c++) out[i * d + c] += (e[j] / z) * v[j * d + c];
    });
    return out;
  },
  check(a, e) {
    const bad = a.findIndex((x, i) => Math.abs(x - e[i]) > 1e-9 * Math.max(1, Math.abs(e[i])));
    return bad < 0 ? null : `output ${bad}: ${a[bad]} vs ${e[bad]}`;
  },
  items: (size) => (size.n * (size.n + 1)) / 2,
};

export const kernels = {
  'needle-insertion': needleInsertion,
  'cumulative-nll': cumulativeNllKernel,
  'powerlaw-fit': powerlawFit,
  'ppm-update-predict': ppmUpdatePredict,
  'attention-vs-n': attentionVsN,
};
