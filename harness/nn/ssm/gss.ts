// The Gated State Space layer (Mehta et al. 2022, §3.2, Fig. 1), for x [B·L, E]:
//   x̂ = LayerNorm(x); v = GELU(x̂W_v) [F]; u = GELU(x̂W_u) [H]; y = DSS(u) [H]
//   uc = yW_uc [F] (no bias); o = (uc ⊙ v)W_o [E]; return o + x
// The long convolution runs over H = E/4 channels only; the gating (GAU style) happens in the
// 4× up-projected space F.
import type { Rng } from '../../api/index.ts';
import { linear } from '../lm/linear.ts';
import type { Tf, TF } from '../lm/tf.ts';
import { dss, dssWeights, type DSSWeights } from './dss.ts';
import { gelu, layerNorm } from '../lm/layers.ts';
import { asVector, normalVariable, onesVariable, zerosVariable, type VariableFactory } from './layer-ops.ts';

export interface GSSDims {
  /** Model width E. */
  dModel: number;
  /** Gating width F (paper: 4E). */
  ffn: number;
  /** DSS channels H (paper: E/4). */
  channels: number;
  /** DSS state size N. */
  stateSize: number;
  /** Number of layers (scales the output projection's init). */
  layers: number;
}

export interface GSSWeights {
  normGain: TF.Variable;
  normBias: TF.Variable;
  wv: TF.Variable; // [E, F]
  bv: TF.Variable;
  wu: TF.Variable; // [E, H]
  bu: TF.Variable;
  dss: DSSWeights;
  wuc: TF.Variable; // [H, F]
  wo: TF.Variable; // [F, E]
  bo: TF.Variable;
}

/**
 * Projections N(0, 1/fan_in) except W_o, N(0, 0.02/√(2·layers)) (GPT-2's residual-output scaling);
 * DSS parameters N(0, 1) (dssWeights); biases 0, LayerNorm gains 1.
 */
export function gssWeights(make: VariableFactory, prefix: string, dims: GSSDims, rng: Rng): GSSWeights {
  const { dModel: E, ffn: F, channels: H } = dims;
  return {
    normGain: onesVariable(make, `${prefix}.norm.g`, [E]),
    normBias: zerosVariable(make, `${prefix}.norm.b`, [E]),
    wv: normalVariable(make, `${prefix}.wv`, [E, F], 1 / Math.sqrt(E), rng),
    bv: zerosVariable(make, `${prefix}.bv`, [F]),
    wu: normalVariable(make, `${prefix}.wu`, [E, H], 1 / Math.sqrt(E), rng),
    bu: zerosVariable(make, `${prefix}.bu`, [H]),
    dss: dssWeights(make, `${prefix}.dss`, H, dims.stateSize, rng),
    wuc: normalVariable(make, `${prefix}.wuc`, [H, F], 1 / Math.sqrt(H), rng),
    wo: normalVariable(make, `${prefix}.wo`, [F, E], 0.02 / Math.sqrt(2 * dims.layers), rng),
    bo: zerosVariable(make, `${prefix}.bo`, [E]),
  };
}

const as2 = (v: TF.Variable) => v as TF.Tensor as TF.Tensor2D;
const as1 = (v: TF.Variable) => v as TF.Tensor as TF.Tensor1D;

/** GSS(x) for x [B·L, E] holding B sequences of length L; returns [B·L, E]. */
export function gss(tf: Tf, w: GSSWeights, x: TF.Tensor2D, B: number, L: number): TF.Tensor2D {
  const H = w.wu.shape[1]!;
  const xHat = layerNorm(tf, x, asVector(w.normGain), asVector(w.normBias));
  const v = gelu(tf, linear(tf, xHat, as2(w.wv), as1(w.bv)));
  const u = gelu(tf, linear(tf, xHat, as2(w.wu), as1(w.bu)));
  const y = dss(tf, w.dss, u.reshape([B, L, H]) as TF.Tensor3D).reshape([B * L, H]) as TF.Tensor2D;
  const uc = linear(tf, y, as2(w.wuc));
  const o = linear(tf, tf.mul(uc, v) as TF.Tensor2D, as2(w.wo), as1(w.bo));
  return tf.add(o, x) as TF.Tensor2D;
}
