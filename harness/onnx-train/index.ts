// The ONNX training engine: a model's whole optimisation step — forward, loss, backward, optimiser
// update — as ONE standard-ONNX graph run by onnxruntime-node (CPU execution provider; no training
// API needed).
//
// Design.
// - graph.ts: a builder of static-shape values and raw ONNX nodes (opset 17). Differentiable ops
//   record a vector–Jacobian product on a tape; `Graph.gradients` walks the tape backwards and emits
//   the gradient nodes into the same graph (reverse-mode differentiation at graph-build time, so
//   ONNX Runtime sees one plain inference graph and optimises/fuses it as a whole).
// - ops.ts: the ops the shared models use — Add/Sub/Mul/Div with broadcasting, Relu, Exp, Log,
//   Tanh, Sigmoid, Sin, Cos, GELU (tanh form, as harness/nn/lm), Reshape, Transpose, ReduceSum/Mean,
//   Gemm (dense) and MatMul (batched or with a shared 2-D operand), LayerNorm (fused
//   LayerNormalization forward in float32, decomposed in float64; closed-form backward), Softmax
//   (a causal mask is an added constant), Gather embedding (ScatterND-add backward) and softmax
//   cross-entropy with int64 labels and per-example weights (mean or loss mask), the causal long
//   convolution (by FFT: ONNX DFT at 2L, gradients as conjugate-spectrum products; and as a
//   Toeplitz product, its cross-check), Conv (stride 1; ConvTranspose and a transposed Conv for the
//   gradients) and MaxPool (window = stride; mask of the window maxima).
// - optimizer.ts: SGD with momentum (PyTorch semantics, as harness/nn/train.ts) and Adam (L2 or
//   decoupled decay, global-norm clipping as harness/nn/lm/train-lm.ts) as graph nodes; the
//   learning-rate schedule stays in JS and enters as scalar inputs (lr, Adam's bias corrections).
// - engine.ts: `StepModel` (parameters, batch inputs, loss built from ops) → step graph;
//   `OnnxTrainer` holds one InferenceSession per step graph. Parameters and optimiser state are
//   graph inputs `w`, `w.velocity` / `w.m`, `w.v` and outputs `w.next`, …; the output tensors of
//   one run are passed as the next run's feeds (onnxruntime-node 1.30 has no IO binding or
//   device-resident outputs on the CPU, so each run copies them once out of and into ORT — about
//   4 × the parameter bytes per SGD step; nothing goes through per-element JS loops).
// - vision.ts, lm.ts, ssm.ts: the shared models (harness/nn NetSpec MLPs and CNNs, the Transformer LM with
//   every positional scheme, the GSS and DSS LMs with the DSS kernel and the FFT causal long
//   convolution) as step models with the same parameter names and shapes as their tfjs versions.
// - train-net.ts, train-lm.ts: trainNet / trainLM on the engine, chosen by `--backend onnx`
//   (harness/backends/tensors.ts, also what `auto` picks); what the engine lacks (strided
//   convolutions) stays on tfjs. Dropout masks are drawn in JS from trainNet's seeds and fed per step.
// - kernels.ts: `harness bench nn:onnx-train-{mlp,lm,gss}-step`, beside tfjs and PyTorch CPU.
// Checks: test/onnx-train-grad (every op vs finite differences, float64), test/onnx-train-models
// (whole-model gradients vs tfjs and a Float64 reference), test/onnx-train-backend (trainers).
export * from './graph.ts';
export * from './ops.ts';
export * from './optimizer.ts';
export * from './engine.ts';
export * from './vision.ts';
export * from './lm.ts';
export * from './ssm.ts';
export * from './train-net.ts';
export * from './train-lm.ts';
