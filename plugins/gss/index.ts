// Plugin `gss`: Long Range Language Modeling via Gated State Spaces (arXiv 2206.13947). The models
// (FFT convolution, DSS, GSS) live in harness/nn/ssm, shared with other plugins.
import { definePlugin } from '../../harness/api/index.ts';
import { claims } from './claims.ts';
import { kernels } from './kernels.ts';
import { methods } from './methods.ts';
import { fftConvCheck, interleavedStepTime, languageModeling, stepTime } from './tasks.ts';

export default definePlugin({
  tasks: { 'language-modeling': languageModeling, 'step-time': stepTime, 'interleaved-step-time': interleavedStepTime, 'fft-conv-check': fftConvCheck },
  methods,
  kernels,
  claims,
});
