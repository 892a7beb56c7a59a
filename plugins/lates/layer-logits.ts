// From images to per-layer logits: the backbone (shared vision stack, trained once per arch × seed and
// cached), one linear head per hidden block on its frozen features, and the network's own classifier
// as the last layer. Deterministic passes and MC-dropout passes both go through here.
import { createHash } from 'node:crypto';
import type * as TF from '@tensorflow/tfjs';
import type { Json, RunContext } from '../../harness/api/index.ts';
import { createRng, deriveSeed } from '../../harness/api/index.ts';
import { ARCHITECTURES, forward, serializeWeights, trainNetCached, weightsToTensors, type NetSpec, type Tf, type Weights } from '../../harness/nn/index.ts';
import type { ImageSet } from '../../datasets/mnist.ts';
import { applyHead, headsFromBytes, headsToBytes, trainLinearHead, DEFAULT_HEAD_TRAINING, type LinearHead } from './linear-heads.ts';

export type ArchId = keyof typeof ARCHITECTURES;

/** Part of every cache key below: bump it when heads or logits would come out differently. */
const ARTIFACT_VERSION = 1;

/** The network's raw outputs on a set: its logits and each hidden block's (pooled) features. */
export interface NetOutputs {
  logits: Float32Array;
  blocks: Float32Array[];
  widths: number[];
}

/** Runs the network over `set` in batches; with `dropoutSeed` dropout is active (one MC pass). */
export function runNetwork(tf: Tf, spec: NetSpec, params: Record<string, TF.Tensor>, set: ImageSet, opts: { dropoutSeed?: number; batchSize?: number } = {}): NetOutputs {
  const batch = opts.batchSize ?? 500;
  const logitParts: Float32Array[] = [];
  const blockParts: Float32Array[][] = [];
  let widths: number[] = [];
  const pixels = set.x.length / set.n;
  for (let start = 0; start < set.n; start += batch) {
    const end = Math.min(set.n, start + batch);
    const training = opts.dropoutSeed !== undefined;
    // a distinct, reproducible mask seed per batch
    const dropoutSeed = training ? deriveSeed([opts.dropoutSeed, start]) : undefined;
    const [logits, ...blocks] = tf.tidy(() => {
      const x = tf.tensor2d(set.x.subarray(start * pixels, end * pixels), [end - start, pixels]);
      const out = forward(tf, spec, params, x, { training, dropoutSeed, collect: true });
      return [out.logits, ...out.blocks];
    });
    logitParts.push(logits.dataSync() as Float32Array);
    widths = blocks.map((b) => b.shape[1]);
    blocks.forEach((b, j) => (blockParts[j] ??= []).push(b.dataSync() as Float32Array));
    tf.dispose([logits, ...blocks]);
  }
  return { logits: concat(logitParts), blocks: blockParts.map(concat), widths };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let k = 0;
  for (const p of parts) { out.set(p, k); k += p.length; }
  return out;
}

/** Per-layer logits (heads on blocks 1..L−1, then the classifier's own logits), each N × C in Float64. */
export function layerLogits(heads: LinearHead[], out: NetOutputs): Float64Array[] {
  if (heads.length !== out.blocks.length) throw new Error(`${heads.length} heads for ${out.blocks.length} blocks`);
  return [...heads.map((h, j) => applyHead(h, out.blocks[j])), Float64Array.from(out.logits)];
}

export interface BackboneConfig {
  arch: ArchId;
  /** Training examples used (a prefix of the seeded training split). */
  trainSize: number;
  epochs: number;
  lr: number;
  batchSize: number;
  headEpochs: number;
}

/** The trained backbone and its heads for (config, seed index): trained once, then read from the cache. */
export async function backboneWithHeads(ctx: RunContext, tf: Tf, config: BackboneConfig, train: ImageSet): Promise<{ spec: NetSpec; weights: Weights; heads: LinearHead[]; backboneKey: string }> {
  const spec = ARCHITECTURES[config.arch];
  const seed = deriveSeed(['lates-backbone', config.arch, ctx.seedIndex]);
  const identity: Json = ['lates', ARTIFACT_VERSION, { ...config }, ctx.seedIndex];
  ctx.progress(0, `training ${config.arch}`);
  const weights = await trainNetCached(ctx, identity, spec, train, {
    epochs: config.epochs, batchSize: config.batchSize, optimizer: { kind: 'adam', lr: config.lr }, seed,
    signal: ctx.signal, onProgress: (f, note) => ctx.progress(0.8 * f, note),
  });
  // keyed by the backbone's bytes too: another backend (or trainer version) gives other weights
  const backboneHash = createHash('sha256').update(serializeWeights(weights)).digest('hex');
  const bytes = await ctx.cache.bytes(JSON.stringify(['lates-heads', identity, DEFAULT_HEAD_TRAINING, backboneHash]), () => {
    ctx.progress(0.8, 'training heads');
    const params = weightsToTensors(tf, weights);
    try {
      const out = runNetwork(tf, spec, params, train);
      const rng = createRng(deriveSeed(['lates-heads', config.arch, ctx.seedIndex]));
      const heads = out.blocks.map((features, j) =>
        trainLinearHead(features, train.y, spec.classes, rng.fork(`head-${j}`), { ...DEFAULT_HEAD_TRAINING, epochs: config.headEpochs }));
      return headsToBytes(heads);
    } finally {
      tf.dispose(Object.values(params));
    }
  });
  const headsHash = createHash('sha256').update(bytes).digest('hex');
  return { spec, weights, heads: headsFromBytes(bytes), backboneKey: `${ARTIFACT_VERSION}-${backboneHash}-${headsHash}` };
}

/** Passes × layers of N × C logits as bytes: [passes, layers, length] as Uint32, then Float32 data. */
export function encodePasses(passes: Float64Array[][]): Uint8Array {
  const layers = passes[0].length;
  const length = passes[0][0].length;
  const out = new Float32Array(3 + passes.length * layers * length);
  new Uint32Array(out.buffer, 0, 3).set([passes.length, layers, length]);
  let k = 3;
  for (const pass of passes) for (const z of pass) { out.set(z, k); k += length; }
  return new Uint8Array(out.buffer);
}

export function decodePasses(bytes: Uint8Array): Float32Array[][] {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const [passes, layers, length] = new Uint32Array(buffer, 0, 3);
  const data = new Float32Array(buffer, 12);
  return Array.from({ length: passes }, (_, t) => Array.from({ length: layers }, (_, l) => data.subarray((t * layers + l) * length, (t * layers + l + 1) * length)));
}
