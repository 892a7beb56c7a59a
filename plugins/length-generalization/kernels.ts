// Kernels, each checked against an independent reference before it is timed: the positional
// schemes' building blocks, the causal forward pass vs length, greedy decoding with and without the
// KV cache, and the variable-assignment generator.
import type { Kernel, Rng } from '../../harness/api/index.ts';
import { loadTensorBackend } from '../../harness/backends/tensors.ts';
import { alibiSlopes, applyRope, attentionBias, generate, ropeTables, transformerLM, type Tf, type TransformerLM } from '../../harness/nn/lm/index.ts';
import { randomProgram, type Program } from './variable-assignment.ts';

const tfOf = async () => (await loadTensorBackend('auto')).tf as Tf;

function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

const close = (tol: number) => (actual: Float32Array, expected: Float32Array): string | null => {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  const err = maxScaledDiff(actual, expected);
  return err <= tol ? null : `max difference ${err.toExponential(2)} (scaled), tolerance ${tol}`;
};

const randomArray = (rng: Rng, n: number) => Float32Array.from({ length: n }, () => rng.normal());

// ---- RoPE rotation of queries [H, L, dHead] (tfjs) vs a complex-number rotation in plain JS
interface RopeInput { tf: Tf; x: Float32Array; H: number; L: number; dh: number }
const ropeRotation: Kernel<RopeInput, Float32Array> = {
  sizes: [{ L: 128 }, { L: 512 }, { L: 2048 }],
  async setup(size, rng) {
    const H = 4;
    const dh = 16;
    return { tf: await tfOf(), x: randomArray(rng, H * size.L * dh), H, L: size.L, dh };
  },
  run({ tf, x, H, L, dh }) {
    return tf.tidy(() => {
      const { cos, sin } = ropeTables(L, dh);
      const out = applyRope(tf, tf.tensor3d(x, [H, L, dh]), tf.tensor2d(cos, [L, dh / 2]), tf.tensor2d(sin, [L, dh / 2]));
      return out.dataSync() as Float32Array;
    });
  },
  // (x₁ + i·x₂)·e^{i·p·θ_k} with θ_k = 10000^(−2k/dHead), pair k = (k, k + dHead/2)
  reference({ x, H, L, dh }) {
    const out = new Float32Array(x.length);
    const half = dh / 2;
    for (let h = 0; h < H; h++) {
      for (let p = 0; p < L; p++) {
        const row = (h * L + p) * dh;
        for (let k = 0; k < half; k++) {
          const theta = p / Math.pow(10000, (2 * k) / dh);
          const [re, im] = [x[row + k], x[row + k + half]];
          out[row + k] = re * Math.cos(theta) - im * Math.sin(theta);
          out[row + k + half] = re * Math.sin(theta) + im * Math.cos(theta);
        }
      }
    }
    return out;
  },
  check: close(1e-4),
  items: (size) => 4 * size.L,
};

// ---- ALiBi bias [H, L, L] with the causal mask vs a direct per-entry formula
interface AlibiInput { H: number; L: number }
const alibiBias: Kernel<AlibiInput, Float32Array> = {
  sizes: [{ L: 128 }, { L: 512 }, { L: 2048 }],
  setup: (size) => ({ H: 4, L: size.L }),
  run: ({ H, L }) => attentionBias(L, L, alibiSlopes(H))!.data,
  // slope of head h (1-based) = 1 / 2^(8h/H); bias −slope·(i − j) for j ≤ i, −∞ (masked) for j > i
  reference({ H, L }) {
    const out = new Float32Array(H * L * L);
    for (let h = 1; h <= H; h++) {
      const slope = 1 / Math.pow(2, (8 * h) / H);
      for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) out[((h - 1) * L + i) * L + j] = j <= i ? -slope * (i - j) : -Infinity;
    }
    return out;
  },
  check(actual, expected) {
    if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
    for (let i = 0; i < actual.length; i++) {
      if (expected[i] === -Infinity ? actual[i] > -1e8 : Math.abs(actual[i] - expected[i]) > 1e-5 * Math.max(1, Math.abs(expected[i]))) {
        return `entry ${i}: ${actual[i]} vs ${expected[i]}`;
      }
    }
    return null;
  },
  items: (size) => 4 * size.L * size.L,
};

// ---- causal forward pass vs L: a whole-sequence pass against token-by-token KV-cache decoding
interface ModelInput { tf: Tf; model: TransformerLM; ids: Int32Array }
async function tinyModel(rng: Rng, positional: 'rope' | 'alibi', maxLength: number): Promise<{ tf: Tf; model: TransformerLM }> {
  const tf = await tfOf();
  return { tf, model: transformerLM(tf, { vocabSize: 8, dModel: 64, heads: 4, layers: 2, ffn: 256, positional, maxLength }, rng) };
}

const causalAttention: Kernel<ModelInput, Float32Array> = {
  sizes: [{ L: 64 }, { L: 128 }, { L: 256 }, { L: 512 }],
  async setup(size, rng) {
    const { tf, model } = await tinyModel(rng.fork('model'), 'rope', size.L);
    return { tf, model, ids: Int32Array.from({ length: size.L }, () => rng.int(8)) };
  },
  run: ({ tf, model, ids }) => tf.tidy(() => model.logits(tf.tensor2d(ids, [1, ids.length], 'int32')).dataSync() as Float32Array),
  // position t's logits from a cache that has seen exactly tokens 0..t: causality by construction
  reference({ model, ids }) {
    const decoder = model.decoder!();
    const V = model.vocabSize;
    const out = new Float32Array(ids.length * V);
    try {
      for (let t = 0; t < ids.length; t++) out.set(decoder.append([ids[t]]), t * V);
    } finally {
      decoder.dispose();
    }
    return out;
  },
  check: close(1e-3),
  items: (size) => size.L,
};

// ---- greedy decoding: with the KV cache (timed) vs recomputing the whole context per token
interface DecodeInput { tf: Tf; model: TransformerLM; prompt: Int32Array; tokens: number }
const greedyDecodeKernel: Kernel<DecodeInput, number[]> = {
  sizes: [{ tokens: 32 }, { tokens: 128 }],
  async setup(size, rng) {
    const { tf, model } = await tinyModel(rng.fork('model'), 'alibi', 1024);
    return { tf, model, prompt: Int32Array.from({ length: 16 }, () => rng.int(8)), tokens: size.tokens };
  },
  run: ({ tf, model, prompt, tokens }) => generate(tf, model, prompt, { maxTokens: tokens, temperature: 0 }),
  reference: ({ tf, model, prompt, tokens }) => generate(tf, model, prompt, { maxTokens: tokens, temperature: 0, noCache: true }),
  check(actual, expected) {
    const at = actual.findIndex((id, i) => id !== expected[i]);
    if (actual.length !== expected.length) return `${actual.length} tokens vs ${expected.length}`;
    return at < 0 ? null : `first difference at token ${at}: ${actual[at]} vs ${expected[at]}`;
  },
  items: (size) => size.tokens,
};

// ---- variable-assignment generator: exact depth and #ops, checked by an independent fixpoint
interface GeneratorInput { rng: Rng; depth: number; ops: number; count: number }
const vaGenerator: Kernel<GeneratorInput, Program[]> = {
  sizes: [{ depth: 4, ops: 8 }, { depth: 8, ops: 8 }, { depth: 4, ops: 16 }, { depth: 12, ops: 24 }],
  setup: (size, rng) => ({ rng, depth: size.depth, ops: size.ops, count: 200 }),
  run: ({ rng, depth, ops, count }) => Array.from({ length: count }, () => randomProgram(rng, { depth, ops })),
  // what was asked for, one entry per program
  reference: ({ depth, ops, count }) => Array.from({ length: count }, () => ({ statements: new Array(ops), query: `depth ${depth}` })),
  check(actual, expected) {
    for (const [i, program] of actual.entries()) {
      const wantDepth = Number(expected[i].query.split(' ')[1]);
      if (program.statements.length !== expected[i].statements.length) return `program ${i}: ${program.statements.length} statements, asked ${expected[i].statements.length}`;
      // depth by Bellman-Ford-style relaxation over the statement list, in execution order only
      const depth = new Map<string, number>();
      for (const st of program.statements) {
        if (depth.has(st.target)) return `program ${i}: "${st.target}" assigned twice`;
        let d = 1;
        for (const a of st.args) {
          if (!depth.has(a)) return `program ${i}: "${a}" read before assignment`;
          d = Math.max(d, depth.get(a)! + 1);
        }
        depth.set(st.target, d);
      }
      if (depth.get(program.query) !== wantDepth) return `program ${i}: query depth ${depth.get(program.query)}, asked ${wantDepth}`;
      const deepest = Math.max(...depth.values());
      if (deepest > wantDepth) return `program ${i}: a distractor of depth ${deepest} > ${wantDepth}`;
    }
    return null;
  },
  items: () => 200,
};

export const kernels = {
  'rope-rotation': ropeRotation,
  'alibi-bias': alibiBias,
  'causal-attention': causalAttention,
  'greedy-decode': greedyDecodeKernel,
  'va-generator': vaGenerator,
};
