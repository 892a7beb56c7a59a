// Train a sequence model once and keep its weights and training statistics in the artifact cache:
// later units (and reruns) load the weights instead of retraining.
import type { ArtifactCache } from '../../api/types.ts';
import type { SequenceModel } from './sequence-model.ts';
import { loadModelWeights, serializeModel } from './serialize.ts';

export interface TrainingStats {
  msPerStep: number;
  /** Mean loss over the last 10 % of the steps. */
  finalLoss: number;
}

/**
 * `model` trained by `train` (which updates it in place) or loaded from `<key>/weights` and
 * `<key>/stats`; `cached` says which. `key` must name everything that changes the trained weights.
 */
export async function trainOrLoadCached(
  cache: ArtifactCache,
  key: string,
  model: SequenceModel,
  train: () => Promise<{ losses: readonly number[]; msPerStep: number }>,
): Promise<TrainingStats & { cached: boolean }> {
  let stats: TrainingStats | undefined;
  let cached = true;
  const bytes = await cache.bytes(`${key}/weights`, async () => {
    cached = false;
    const result = await train();
    const tail = result.losses.slice(Math.floor(0.9 * result.losses.length));
    stats = { msPerStep: result.msPerStep, finalLoss: tail.reduce((a, b) => a + b, 0) / tail.length };
    return serializeModel(model);
  });
  const saved = await cache.json(`${key}/stats`, () => {
    if (!stats) throw new Error('cached weights without their training statistics; clear the artifact cache');
    return { ...stats };
  });
  if (cached) loadModelWeights(model, bytes);
  return { msPerStep: saved.msPerStep, finalLoss: saved.finalLoss, cached };
}
