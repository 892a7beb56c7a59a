// The tfjs namespace type every sequence-model function takes as its first argument. Callers get it
// from `const { tf } = await ctx.tensors()` (or harness/backends/tensors.ts) and cast it once.
import type * as TF from '@tensorflow/tfjs';

export type Tf = typeof TF;
export type { TF };
