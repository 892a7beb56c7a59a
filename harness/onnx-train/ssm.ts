// The GSS and DSS language models of harness/nn/ssm (gssLM, dssLM) as step models: the same parameter names and
// shapes, the DSS kernel from Λ, C in real arithmetic (as dssKernel), the causal convolution by
// FFT or as a Toeplitz product (longConvolution), loss = Σ weights · next-token cross-entropy.
import type { DSSLMConfig, GSSLMConfig } from '../nn/ssm/ssm-lm.ts';
import type { StepModel, TensorSpec } from './engine.ts';
import type { Graph, Value } from './graph.ts';
import { add, causalConv, cos, fftCausalConv, dense, div, embedding, exp, gelu, layerNorm, matmul, mul, neg, reshape, sin, softmaxCrossEntropy, sub } from './ops.ts';

/** How the step graphs compute the causal long convolution: 'fft' (O(L log L), ONNX DFT; the
 * default: per GSS step it took less CPU than 'toeplitz' at every length measured, 300 vs 329 ms at
 * 4 layers × 8 × 256, 62 vs 447 ms and 0.21 vs 1.64 GB at 1 layer × 1 × 1024) or 'toeplitz' (O(L²)
 * time and memory, one batched MatMul). */
export type LongConv = 'fft' | 'toeplitz';

/** Parameter names and shapes in the order gssLM creates its variables. */
export function gssParams(cfg: GSSLMConfig): TensorSpec[] {
  const { vocabSize: V, dModel: E, ffn: F, channels: H, stateSize: N, layers } = cfg;
  const specs: TensorSpec[] = [{ name: 'tok_emb', shape: [V, E] }];
  for (let l = 0; l < layers; l++) {
    const p = `h${l}.gss`;
    specs.push(
      { name: `${p}.norm.g`, shape: [E] }, { name: `${p}.norm.b`, shape: [E] },
      { name: `${p}.wv`, shape: [E, F] }, { name: `${p}.bv`, shape: [F] },
      { name: `${p}.wu`, shape: [E, H] }, { name: `${p}.bu`, shape: [H] },
      { name: `${p}.dss.lambda_re`, shape: [N] }, { name: `${p}.dss.lambda_im`, shape: [N] },
      { name: `${p}.dss.c_re`, shape: [H, N] }, { name: `${p}.dss.c_im`, shape: [H, N] },
      { name: `${p}.dss.d`, shape: [H] }, { name: `${p}.dss.norm.g`, shape: [H] }, { name: `${p}.dss.norm.b`, shape: [H] },
      { name: `${p}.wuc`, shape: [H, F] }, { name: `${p}.wo`, shape: [F, E] }, { name: `${p}.bo`, shape: [E] },
    );
  }
  specs.push({ name: 'ln_f.g', shape: [E] }, { name: 'ln_f.b', shape: [E] }, { name: 'out.w', shape: [E, V] }, { name: 'out.b', shape: [V] });
  return specs;
}

/** K [H, L] = Re Σ_n C̃[h, n]·exp(Λ_n·l) in real arithmetic (see harness/nn/ssm/dss.ts). */
export function dssKernelValue(g: Graph, lambdaRe: Value, lambdaIm: Value, cRe: Value, cIm: Value, L: number): Value {
  const [N] = lambdaRe.shape;
  const a = exp(g, lambdaRe);
  const b = exp(g, lambdaIm);
  const ea = exp(g, neg(g, a));
  const p = sub(g, mul(g, ea, cos(g, b)), g.scalar(1));
  const q = mul(g, ea, sin(g, b));
  const den = add(g, mul(g, a, a), mul(g, b, b));
  const fRe = div(g, sub(g, mul(g, q, b), mul(g, p, a)), den);
  const fIm = neg(g, div(g, add(g, mul(g, q, a), mul(g, p, b)), den));
  const tRe = sub(g, mul(g, cRe, fRe), mul(g, cIm, fIm));
  const tIm = add(g, mul(g, cRe, fIm), mul(g, cIm, fRe));
  const positions = g.constant(Array.from({ length: L }, (_, i) => i), [1, L]);
  const decay = exp(g, neg(g, mul(g, reshape(g, a, [N, 1]), positions)));
  const phase = mul(g, reshape(g, b, [N, 1]), positions);
  return sub(g, matmul(g, tRe, mul(g, decay, cos(g, phase))), matmul(g, tIm, mul(g, decay, sin(g, phase))));
}

/** The step model on batches of B sequences of L tokens (inputs, targets, weights as lm.ts). */
export function gssStepModel(cfg: GSSLMConfig, B: number, L: number, conv: LongConv = 'fft'): StepModel {
  const convolve = conv === 'fft' ? fftCausalConv : causalConv;
  const { dModel: E, channels: H, layers } = cfg;
  return {
    params: gssParams(cfg),
    batch: [
      { name: 'inputs', shape: [B, L], dtype: 'int64' },
      { name: 'targets', shape: [B * L], dtype: 'int64' },
      { name: 'weights', shape: [B * L], dtype: 'float32' },
    ],
    loss(g: Graph, p: Record<string, Value>, batch: Record<string, Value>) {
      let x = reshape(g, embedding(g, p.tok_emb, batch.inputs), [B * L, E]);
      for (let l = 0; l < layers; l++) {
        const w = (name: string) => p[`h${l}.gss.${name}`];
        const xHat = layerNorm(g, x, w('norm.g'), w('norm.b'));
        const v = gelu(g, dense(g, xHat, w('wv'), w('bv')));
        const u = gelu(g, dense(g, xHat, w('wu'), w('bu')));
        const uHat = layerNorm(g, u, w('dss.norm.g'), w('dss.norm.b'));
        const K = dssKernelValue(g, w('dss.lambda_re'), w('dss.lambda_im'), w('dss.c_re'), w('dss.c_im'), L);
        const conv = reshape(g, convolve(g, reshape(g, uHat, [B, L, H]), K), [B * L, H]);
        const y = add(g, conv, mul(g, uHat, w('dss.d')));
        const uc = dense(g, y, w('wuc'));
        x = add(g, dense(g, mul(g, uc, v), w('wo'), w('bo')), x);
      }
      const logits = dense(g, layerNorm(g, x, p['ln_f.g'], p['ln_f.b']), p['out.w'], p['out.b']);
      return softmaxCrossEntropy(g, logits, batch.targets, batch.weights);
    },
  };
}

/** Parameter names and shapes in the order dssLM creates its variables. */
export function dssParams(cfg: DSSLMConfig): TensorSpec[] {
  const { vocabSize: V, dModel: E, ffn: F, stateSize: N, layers } = cfg;
  const specs: TensorSpec[] = [{ name: 'tok_emb', shape: [V, E] }];
  for (let l = 0; l < layers; l++) {
    const p = `h${l}`;
    specs.push(
      { name: `${p}.dss.lambda_re`, shape: [N] }, { name: `${p}.dss.lambda_im`, shape: [N] },
      { name: `${p}.dss.c_re`, shape: [E, N] }, { name: `${p}.dss.c_im`, shape: [E, N] },
      { name: `${p}.dss.d`, shape: [E] }, { name: `${p}.dss.norm.g`, shape: [E] }, { name: `${p}.dss.norm.b`, shape: [E] },
      { name: `${p}.ffn.norm.g`, shape: [E] }, { name: `${p}.ffn.norm.b`, shape: [E] },
      { name: `${p}.ffn.w1`, shape: [E, F] }, { name: `${p}.ffn.b1`, shape: [F] },
      { name: `${p}.ffn.w2`, shape: [F, E] }, { name: `${p}.ffn.b2`, shape: [E] },
    );
  }
  specs.push({ name: 'ln_f.g', shape: [E] }, { name: 'ln_f.b', shape: [E] }, { name: 'out.w', shape: [E, V] }, { name: 'out.b', shape: [V] });
  return specs;
}

/** The DSS LM's step model: x += DSS(x) over all E channels; x += W₂·GELU(W₁·LN(x)). */
export function dssStepModel(cfg: DSSLMConfig, B: number, L: number, conv: LongConv = 'fft'): StepModel {
  const convolve = conv === 'fft' ? fftCausalConv : causalConv;
  const { dModel: E, layers } = cfg;
  return {
    params: dssParams(cfg),
    batch: [
      { name: 'inputs', shape: [B, L], dtype: 'int64' },
      { name: 'targets', shape: [B * L], dtype: 'int64' },
      { name: 'weights', shape: [B * L], dtype: 'float32' },
    ],
    loss(g: Graph, p: Record<string, Value>, batch: Record<string, Value>) {
      let x = reshape(g, embedding(g, p.tok_emb, batch.inputs), [B * L, E]);
      for (let l = 0; l < layers; l++) {
        const w = (name: string) => p[`h${l}.${name}`];
        const uHat = layerNorm(g, x, w('dss.norm.g'), w('dss.norm.b'));
        const K = dssKernelValue(g, w('dss.lambda_re'), w('dss.lambda_im'), w('dss.c_re'), w('dss.c_im'), L);
        const conv = reshape(g, convolve(g, reshape(g, uHat, [B, L, E]), K), [B * L, E]);
        x = add(g, x, add(g, conv, mul(g, uHat, w('dss.d'))));
        const h = layerNorm(g, x, w('ffn.norm.g'), w('ffn.norm.b'));
        x = add(g, x, dense(g, gelu(g, dense(g, h, w('ffn.w1'), w('ffn.b1'))), w('ffn.w2'), w('ffn.b2')));
      }
      const logits = dense(g, layerNorm(g, x, p['ln_f.g'], p['ln_f.b']), p['out.w'], p['out.b']);
      return softmaxCrossEntropy(g, logits, batch.targets, batch.weights);
    },
  };
}
