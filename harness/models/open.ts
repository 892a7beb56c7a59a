// From a model spec to a model: `describeModel` at plan time (identity for unit keys, reachability,
// the served names — cheap, no weights loaded) and `openModel` inside a unit or a server.
import type { LanguageModel } from '../api/language-model.ts';
import type { Json, RunContext } from '../api/types.ts';
import { UserError, didYouMean } from '../errors.ts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TensorBackend } from '../api/types.ts';
import { loadTensorBackend, type BackendChoice } from '../backends/tensors.ts';
import { coreCodeHash, loadPlugin, pluginCodeHash, splitQualified, type PluginRecord, type Registry } from '../plan/registry.ts';
import { createRng } from '../plan/seeds.ts';
import { pluginArtifactCache } from '../run/artifacts.ts';
import { resolveDataset } from '../run/datasets.ts';
import type { BuiltinModelSpec, ModelSpec } from './spec.ts';

/** A spec with what the plan needs to know about it. */
export interface ResolvedModel {
  /** Leaderboard name (= spec.name). */
  name: string;
  spec: ModelSpec;
  /** Enters unit keys, rows' provenance and response-cache keys; never holds a secret. */
  identity: { [key: string]: Json };
}

export interface OpenModelOptions {
  /** Where the HTTP adapter keeps its response cache (`<cacheDir>/responses`). */
  cacheDir: string;
  signal?: AbortSignal;
  log?: (message: string) => void;
  /** Plugins for `builtin:` specs. */
  registry?: Registry;
  /** The unit's context, for builtin models that train or load through the artifact cache (else a standalone one). */
  context?: RunContext;
  /** Tensor backend for builtin models built outside a unit (default auto). */
  backend?: BackendChoice;
}

/** Plan time: the identity of a model, checking that it exists (files present, endpoint reachable and serving it). */
export async function describeModel(spec: ModelSpec, registry: Registry, signal?: AbortSignal): Promise<ResolvedModel> {
  switch (spec.kind) {
    case 'onnx': {
      const { describeOnnxModel } = await import('./onnx/causal-lm.ts');
      return { name: spec.name, spec, identity: { kind: 'onnx', ...(await describeOnnxModel(spec)).identity, adapter: adapterHash('onnx/causal-lm.ts') } };
    }
    case 'openai': {
      const { describeOpenAIModel } = await import('./openai/adapter.ts');
      return { name: spec.name, spec, identity: { kind: 'openai', ...(await describeOpenAIModel(spec, { signal })).identity, adapter: adapterHash('openai/adapter.ts') } };
    }
    case 'builtin': {
      const { record, local } = builtinRecord(spec, registry);
      return { name: spec.name, spec, identity: { kind: 'builtin', ref: spec.ref, plugin: [record.manifest.id, record.manifest.version, pluginCodeHash(record)], model: local } };
    }
  }
}

/** The adapter's code is part of a model's identity: changing how a model is called reruns its units. */
const adapterHash = (file: string) => coreCodeHash(fileURLToPath(new URL(`./${file}`, import.meta.url))).slice(0, 16);

/** Run time: a live model. The caller closes it. */
export async function openModel(spec: ModelSpec, options: OpenModelOptions): Promise<LanguageModel> {
  switch (spec.kind) {
    case 'onnx': {
      const { openOnnxModel } = await import('./onnx/causal-lm.ts');
      return openOnnxModel(spec);
    }
    case 'openai': {
      const { openOpenAIModel } = await import('./openai/adapter.ts');
      return openOpenAIModel(spec, { cacheDir: options.cacheDir, signal: options.signal, log: options.log });
    }
    case 'builtin': {
      if (!options.registry) throw new UserError(`builtin model ${spec.ref}: no plugin registry to load it from`);
      const { record, local } = builtinRecord(spec, options.registry);
      const factory = (await loadPlugin(record)).models?.[local];
      if (!factory) throw new UserError(`builtin model ${spec.ref}: plugin "${record.manifest.id}" exports no model "${local}"`);
      return factory(options.context ?? standaloneContext(record, options), spec.params ?? {});
    }
  }
}

/** A context for building a plugin's model outside a unit (`harness serve`, `harness export`): seed 0, full budget. */
function standaloneContext(record: PluginRecord, options: OpenModelOptions): RunContext {
  let backend: TensorBackend | undefined;
  const say = (m: string) => options.log?.(m);
  return {
    rng: createRng(0),
    seedIndex: 0,
    budget: 'full',
    signal: options.signal ?? new AbortController().signal,
    log: { info: say, warn: say, debug: () => {} },
    cache: pluginArtifactCache(join(options.cacheDir, 'artifacts'), record),
    progress: () => {},
    dataset: (id) => resolveDataset(record, id),
    tensors: async () => (backend ??= await loadTensorBackend(options.backend ?? 'auto')),
  };
}

function builtinRecord(spec: BuiltinModelSpec, registry: Registry) {
  const { plugin, local } = splitQualified(spec.ref);
  const record = registry.plugins.get(plugin);
  if (!record) throw new UserError(`builtin model ${spec.ref}: unknown plugin "${plugin}"${didYouMean(plugin, registry.plugins.keys())}`);
  const declared = (record.manifest.models ?? []).map((m) => m.id);
  if (!declared.includes(local)) {
    throw new UserError(`builtin model ${spec.ref}: plugin "${plugin}" declares no model "${local}"${didYouMean(local, declared)}${declared.length ? ` (it has ${declared.join(', ')})` : ''}`);
  }
  return { record, local };
}
