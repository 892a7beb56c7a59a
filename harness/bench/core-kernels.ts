// Kernels of the core's shared model parts (`harness/nn`, and the ONNX training engine `harness/onnx-train`), benchmarked like a plugin's under the id
// `nn`: `harness bench nn` or `harness bench nn:mlp-train-step`. Their ids are listed here so a
// selector is checked without importing tfjs; a test keeps the list equal to the module's kernels.
import type { Kernel } from '../api/types.ts';

export interface CoreKernelSet {
  id: string;
  kernels: readonly string[];
  load(): Promise<Record<string, Kernel>>;
}

export const CORE_KERNEL_SETS: readonly CoreKernelSet[] = [
  {
    id: 'nn',
    kernels: ['mlp-train-step', 'onnx-mlp-forward', 'onnx-lm-score', 'onnx-lm-generate', 'onnx-train-mlp-step', 'onnx-train-lm-step', 'onnx-train-gss-step'],
    load: async () => {
      const { nnKernels } = await import('../nn/kernels.ts');
      const { torchMlpStepsPerSecond } = await import('../nn/torch-reference.ts');
      // The ONNX training engine's steps, beside PyTorch and tfjs in one row each.
      const { onnxTrainKernels } = await import('../onnx-train/kernels.ts');
      // The reference MLP's training step beside the same step in PyTorch CPU on this machine.
      const step = nnKernels['mlp-train-step'];
      const sideBySide: Kernel['sideBySide'] = async (size) => {
        const measured = await torchMlpStepsPerSecond({ batch: size.batch });
        if ('unavailable' in measured) return { state: 'unavailable', label: 'PyTorch CPU, 1 thread', reason: measured.unavailable };
        return { state: 'measured', label: `PyTorch CPU (${measured.version}), 1 thread`, itemsPerSecond: measured.stepsPerSecond * (step.items?.(size) ?? 1) };
      };
      return { ...nnKernels, 'mlp-train-step': { ...step, sideBySide }, ...onnxTrainKernels };
    },
  },
  {
    id: 'models',
    kernels: ['http-complete'],
    load: async () => (await import('../models/kernels.ts')).modelKernels,
  },
];
