// Byte-level language models built from state-space layers, implementing the SequenceModel contract
// of ../lm: token embedding → `layers` blocks → LayerNorm → output projection (untied). No
// positional parameters anywhere (the DSS kernel is generated for the input's length), so
// maxLength is null and the models run at any length.
//   gssLM: blocks are GSS layers (gss.ts), e.g. E = 128, F = 512, H = 32, N = 64.
//   dssLM: blocks are x += DSS(x) over all E channels, then a GELU FFN (dss.ts), no gating.
import type { Rng } from '../../api/index.ts';
import { linear } from '../lm/linear.ts';
import { assertLength, countParams, type SequenceModel } from '../lm/sequence-model.ts';
import type { Tf, TF } from '../lm/tf.ts';
import { dssBlock, dssBlockWeights } from './dss.ts';
import { gss, gssWeights } from './gss.ts';
import { layerNorm } from '../lm/layers.ts';
import { asVector, normalVariable, onesVariable, variableFactory, zerosVariable, type VariableFactory } from './layer-ops.ts';

export interface GSSLMConfig {
  vocabSize: number;
  /** Model width E. */
  dModel: number;
  /** Gating width F. */
  ffn: number;
  /** DSS channels H. */
  channels: number;
  /** DSS state size N. */
  stateSize: number;
  layers: number;
}

export interface DSSLMConfig {
  vocabSize: number;
  /** Model width E = DSS channels. */
  dModel: number;
  /** Hidden width of the GELU feed-forward block. */
  ffn: number;
  stateSize: number;
  layers: number;
}

/** The laptop-scale sizes of the spec: E = 128, F = 512, H = 32, N = 64, 4 layers, bytes. */
export const GSS_LM_SMALL: GSSLMConfig = { vocabSize: 256, dModel: 128, ffn: 512, channels: 32, stateSize: 64, layers: 4 };
/** DSS over all 128 channels + a GELU FFN of width 512, 4 layers, bytes. */
export const DSS_LM_SMALL: DSSLMConfig = { vocabSize: 256, dModel: 128, ffn: 512, stateSize: 64, layers: 4 };

export type GSSLM = SequenceModel & { readonly config: GSSLMConfig };
export type DSSLM = SequenceModel & { readonly config: DSSLMConfig };

type Block = (x: TF.Tensor2D, B: number, L: number) => TF.Tensor2D;

function checkPositive(who: string, config: object): void {
  for (const [key, value] of Object.entries(config)) {
    if (!Number.isInteger(value) || (value as number) < 1) throw new RangeError(`${who}: ${key} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

/** The shared skeleton: embedding N(0, 0.02), blocks, final LayerNorm, output projection N(0, 0.02). */
function stackModel(
  tf: Tf, kind: string, vocabSize: number, dModel: number, rng: Rng,
  buildBlocks: (make: VariableFactory) => Block[],
): { model: SequenceModel } {
  const { make, variables } = variableFactory(tf, kind);
  const V = vocabSize;
  const E = dModel;
  const embedding = normalVariable(make, 'tok_emb', [V, E], 0.02, rng);
  const blocks = buildBlocks(make);
  const finalGain = onesVariable(make, 'ln_f.g', [E]);
  const finalBias = zerosVariable(make, 'ln_f.b', [E]);
  const wOut = normalVariable(make, 'out.w', [E, V], 0.02, rng);
  const bOut = zerosVariable(make, 'out.b', [V]);
  const model: SequenceModel = {
    kind,
    vocabSize: V,
    maxLength: null,
    variables,
    paramCount: () => countParams(variables),
    logits(ids) {
      if (ids.rank !== 2 || ids.dtype !== 'int32') throw new RangeError(`${kind}: ids must be an int32 [batch, length] tensor, got ${ids.dtype} [${ids.shape.join(', ')}]`);
      const [B, L] = ids.shape;
      assertLength(model, L);
      return tf.tidy(() => {
        // one-hot · table instead of tf.gather: gather has no gradient kernel on the wasm backend
        const oneHot = tf.cast(tf.oneHot(tf.reshape(ids, [B * L]), V), 'float32') as TF.Tensor2D;
        let x = linear(tf, oneHot, embedding as TF.Tensor as TF.Tensor2D);
        for (const block of blocks) x = block(x, B, L);
        const h = layerNorm(tf, x, asVector(finalGain), asVector(finalBias));
        return linear(tf, h, wOut as TF.Tensor as TF.Tensor2D, bOut as TF.Tensor as TF.Tensor1D).reshape([B, L, V]) as TF.Tensor3D;
      });
    },
    dispose() {
      tf.dispose(variables);
    },
  };
  return { model };
}

/** A GSS language model with weights drawn from `rng` (see gssWeights for the initialisation). */
export function gssLM(tf: Tf, config: GSSLMConfig, rng: Rng): GSSLM {
  checkPositive('gssLM', config);
  const cfg = { ...config };
  const { model } = stackModel(tf, 'gss', cfg.vocabSize, cfg.dModel, rng, (make) => {
    const blocks: Block[] = [];
    for (let l = 0; l < cfg.layers; l++) {
      const w = gssWeights(make, `h${l}.gss`, cfg, rng);
      blocks.push((x, B, L) => gss(tf, w, x, B, L));
    }
    return blocks;
  });
  return Object.assign(model, { config: cfg });
}

/** A DSS language model (DSS over all E channels + GELU FFN, no gating) with weights from `rng`. */
export function dssLM(tf: Tf, config: DSSLMConfig, rng: Rng): DSSLM {
  checkPositive('dssLM', config);
  const cfg = { ...config };
  const { model } = stackModel(tf, 'dss', cfg.vocabSize, cfg.dModel, rng, (make) => {
    const blocks: Block[] = [];
    for (let l = 0; l < cfg.layers; l++) {
      const w = dssBlockWeights(make, `h${l}`, cfg, rng);
      blocks.push((x, B, L) => dssBlock(tf, w, x, B, L));
    }
    return blocks;
  });
  return Object.assign(model, { config: cfg });
}
