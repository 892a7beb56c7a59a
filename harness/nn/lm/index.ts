// The shared sequence-model stack: tokenizers, the SequenceModel contract, a causal Transformer with
// five positional schemes, the LM trainer, evaluators and sampling.
export type { Tf, TF } from './tf.ts';
export * from './tokenizer.ts';
export * from './sequence-model.ts';
export * from './positional.ts';
export * from './linear.ts';
export * from './layers.ts';
export * from './attention.ts';
export * from './transformer.ts';
export * from './train-lm.ts';
export * from './evaluate-lm.ts';
export * from './sample.ts';
export * from './serialize.ts';
export * from './train-cached.ts';
