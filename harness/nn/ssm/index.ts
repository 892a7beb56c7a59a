// State-space sequence models: the FFT causal convolution op, the simplified DSS kernel and layer,
// the GSS layer and the GSS/DSS byte-level language models (SequenceModel).
export * from './fft-conv.ts';
export * from './dss.ts';
export * from './gss.ts';
export * from './ssm-lm.ts';
