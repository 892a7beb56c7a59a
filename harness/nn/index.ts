// Shared model parts: vision networks (MLP/CNN), their training, weights I/O and ONNX export.
// `Tf` (the tfjs namespace type) is exported explicitly so that other stacks re-exporting the same
// name through `export *` do not make it ambiguous.
export type { Tf } from './vision.ts';
export * from './vision.ts';
export { conv2dOp, denseOp, maxPoolOp, softmaxCrossEntropy } from './dense.ts';
export * from './train.ts';
export * from './weights.ts';
export * from './onnx.ts';
export { torchMlpStepsPerSecond } from './torch-reference.ts';
export * from './ssm/index.ts';
export * from './lm/index.ts';
