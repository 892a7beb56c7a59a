// `onnx:<folder>`: a causal LM exported in Hugging Face Optimum's decoder layout (model.onnx,
// tokenizer.json, optionally config.json and tokenizer_config.json) as a LanguageModel, run by ONNX
// Runtime on the CPU. Nothing here is specific to the models this harness exports
// (harness/nn/lm/export-onnx.ts): inputs are found by name, a KV cache is used when the graph has
// past_key_values inputs, position_ids and attention_mask are fed when the graph asks for them, and
// int32 or int64 index inputs and float32 or float16 logits/caches are accepted.
//
// The tokenizer is @huggingface/tokenizers (tokenizers.js): maintained by Hugging Face, pure JS with
// no native build or network access, and it reads tokenizer.json directly, so every tokenizer a
// Hub model ships works offline without a Python or Rust toolchain.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import type { ModelDescriptor } from '../../api/language-model.ts';
import { UserError } from '../../errors.ts';
import { sampleToken } from '../../nn/lm/sample.ts';
import type { Tokenizer } from '../../nn/lm/tokenizer.ts';
import { localLanguageModel, type LocalLanguageModel, type TokenGenerateOptions } from '../local.ts';
import type { OnnxModelSpec } from '../spec.ts';
import { scoringWindows } from '../../nn/lm/scoring-windows.ts';

type Ort = typeof import('onnxruntime-node');

const MODEL_FILE = 'model.onnx';
const EXTERNAL_DATA_FILE = 'model.onnx_data';
const TOKENIZER_FILE = 'tokenizer.json';
const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
const CONFIG_FILE = 'config.json';
const GENERATION_CONFIG_FILE = 'generation_config.json';
const LAYOUT = 'an ONNX decoder folder holds model.onnx and tokenizer.json (and usually config.json), as Hugging Face Optimum exports it';

/** Context scored at once when config.json bounds nothing (as tokenLogProbs in harness/nn/lm/evaluate-lm.ts). */
const DEFAULT_UNBOUNDED_WINDOW = 1024;
/** Windows per forward pass when scoring long inputs. */
const SCORING_BATCH = 8;

// ---------------------------------------------------------------- describe (no session)

/** The identity (sha256 of every file that defines the model) and context length of an ONNX folder. */
export async function describeOnnxModel(spec: OnnxModelSpec): Promise<{ identity: Record<string, string | number | null>; contextLength: number | null }> {
  requireFiles(spec.dir);
  const optional = (name: string) => (existsSync(join(spec.dir, name)) ? sha256File(join(spec.dir, name)) : null);
  const [model, externalData, tokenizer, tokenizerConfig, config] = await Promise.all([
    sha256File(join(spec.dir, MODEL_FILE)),
    optional(EXTERNAL_DATA_FILE),
    sha256File(join(spec.dir, TOKENIZER_FILE)),
    optional(TOKENIZER_CONFIG_FILE),
    optional(CONFIG_FILE),
  ]);
  const identity: Record<string, string | number | null> = { model, tokenizer, config };
  if (externalData) identity.externalData = externalData;
  if (tokenizerConfig) identity.tokenizerConfig = tokenizerConfig;
  return { identity, contextLength: contextLengthOf(readJson(spec.dir, CONFIG_FILE)) };
}

function requireFiles(dir: string): void {
  if (!existsSync(dir)) throw new UserError(`onnx model ${dir}: the folder does not exist`, [LAYOUT]);
  for (const name of [MODEL_FILE, TOKENIZER_FILE]) {
    if (!existsSync(join(dir, name))) throw new UserError(`onnx model ${dir}: no ${name} in the folder`, [LAYOUT]);
  }
}

function sha256File(path: string): Promise<string> {
  return new Promise((resolveHash, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (error) => reject(new UserError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)))
      .on('end', () => resolveHash(hash.digest('hex')));
  });
}

type JsonObject = Record<string, unknown>;

/** A JSON file of the folder, or null when it is absent. */
function readJson(dir: string, name: string): JsonObject | null {
  const path = join(dir, name);
  if (!existsSync(path)) return null;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`onnx model ${dir}: ${name} is not valid JSON (${(error as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new UserError(`onnx model ${dir}: ${name} must hold a JSON object`);
  return value as JsonObject;
}

const positiveInteger = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);

/** config.json's longest context under the names transformers uses (null: unbounded or not said). */
function contextLengthOf(config: JsonObject | null): number | null {
  for (const key of ['max_position_embeddings', 'n_positions', 'n_ctx', 'max_sequence_length', 'seq_length']) {
    const value = positiveInteger(config?.[key]);
    if (value !== null) return value;
  }
  return null;
}

function eosOf(...configs: Array<JsonObject | null>): number[] {
  for (const config of configs) {
    const eos = config?.eos_token_id;
    if (typeof eos === 'number' && Number.isInteger(eos)) return [eos];
    if (Array.isArray(eos) && eos.every((e) => Number.isInteger(e))) return eos as number[];
  }
  return [];
}

// ---------------------------------------------------------------- open

/** An ONNX Runtime session (CPU, one intra-op thread) over the folder's model.onnx, with its tokenizer. */
export async function openOnnxModel(spec: OnnxModelSpec): Promise<LocalLanguageModel> {
  const { identity, contextLength } = await describeOnnxModel(spec);
  const config = readJson(spec.dir, CONFIG_FILE);
  const tokenizer = loadTokenizer(spec.dir, String(identity.tokenizer));
  const ort = await loadOrt();
  const modelPath = join(spec.dir, MODEL_FILE);
  let session: InferenceSession;
  try {
    // One thread per model: the harness runs units in parallel processes, one core each.
    session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  } catch (error) {
    throw new UserError(`onnx model ${spec.dir}: ONNX Runtime cannot load ${MODEL_FILE}: ${(error as Error).message.split('\n')[0]}`);
  }
  try {
    const graph = inspectGraph(session, modelPath, config);
    if (graph.vocab !== null && tokenizer.vocabSize > graph.vocab) {
      throw new UserError(`onnx model ${spec.dir}: ${TOKENIZER_FILE} has ${tokenizer.vocabSize} tokens but the logits of ${MODEL_FILE} only ${graph.vocab}`, ['the tokenizer and the model must come from the same export']);
    }
    const runner = new DecoderRunner(ort, session, graph, spec.dir, tokenizer.vocabSize);
    const descriptor: ModelDescriptor = { name: spec.name, kind: 'onnx', identity, contextLength, chat: false, logprobs: true };
    const useCache = graph.pastLayers > 0 && spec.kvCache !== false;
    return localLanguageModel(descriptor, tokenizer, {
      eos: eosOf(config, readJson(spec.dir, GENERATION_CONFIG_FILE)),
      tokenLogProbs: (ids) => scoreTokens(runner, ids, contextLength ?? DEFAULT_UNBOUNDED_WINDOW),
      generate: (prompt, opts) => generateTokens(runner, prompt, opts, { window: contextLength ?? Infinity, useCache }),
      close: () => session.release(),
    });
  } catch (error) {
    await session.release();
    throw error;
  }
}

async function loadOrt(): Promise<Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new UserError(`ONNX Runtime (onnxruntime-node) could not be loaded: ${(error as Error).message.split('\n')[0]}`, ['install it with `npm ci` (set ONNXRUNTIME_NODE_INSTALL=skip offline)']);
  }
}

// ---------------------------------------------------------------- tokenizer

function loadTokenizer(dir: string, sha256: string): Tokenizer {
  const json = readJson(dir, TOKENIZER_FILE)!;
  // Decoding must give back the text that was encoded: the tokenizer_config default of the library
  // (a BERT-era clean-up of spaces before punctuation) applies only when the folder asks for it.
  const config = { clean_up_tokenization_spaces: false, ...(readJson(dir, TOKENIZER_CONFIG_FILE) ?? {}) };
  let hf: HfTokenizer;
  try {
    hf = new HfTokenizer(json, config);
  } catch (error) {
    throw new UserError(`onnx model ${dir}: ${TOKENIZER_FILE} is not a tokenizer @huggingface/tokenizers can read: ${(error as Error).message.split('\n')[0]}`);
  }
  let vocabSize = 0;
  for (const id of hf.get_vocab(true).values()) vocabSize = Math.max(vocabSize, id + 1);
  return {
    id: `tokenizer.json:${sha256}`,
    vocabSize,
    // No special tokens added: the LanguageModel contract scores and continues exactly the given text.
    encode: (text) => Int32Array.from(hf.encode(text, { add_special_tokens: false }).ids),
    decode: (ids) => {
      if (ids.length === 0) return '';
      const list = Array.from(ids);
      const unknown = list.findIndex((id) => hf.id_to_token(id) === undefined);
      if (unknown >= 0) throw new RangeError(`${join(dir, TOKENIZER_FILE)}: id ${list[unknown]} at index ${unknown} is not in the vocabulary`);
      return hf.decode(list, { skip_special_tokens: false });
    },
  };
}

// ---------------------------------------------------------------- the graph's inputs and outputs

type IndexType = 'int64' | 'int32';
type FloatType = 'float32' | 'float16';

interface GraphIO {
  /** Where errors point. */
  file: string;
  idsType: IndexType;
  /** attention_mask's type, or null when the graph has none. */
  maskType: IndexType | null;
  positionsType: IndexType | null;
  /** Layers with past_key_values.<i>.key/value inputs (0 = no cache). */
  pastLayers: number;
  pastType: FloatType;
  /** Key/value heads and head size of the cache (for an empty past). */
  kvHeads: number;
  headDim: number;
  /** Merged decoders (Optimum's decoder_model_merged) choose their branch with this bool input. */
  useCacheBranch: boolean;
  /** The logits' vocabulary dimension when the graph or config.json states it. */
  vocab: number | null;
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

function inspectGraph(session: InferenceSession, file: string, config: JsonObject | null): GraphIO {
  const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
  const outputs = new Map(session.outputMetadata.map((m) => [m.name, m]));
  const fail = (why: string, details: string[] = []): never => {
    throw new UserError(`${file}: ${why}`, details);
  };
  const names = (map: Map<string, unknown>) => [...map.keys()].join(', ') || 'none';
  if (!inputs.has('input_ids')) fail(`the graph has no input "input_ids" (its inputs: ${names(inputs)})`, [LAYOUT]);
  if (!outputs.has('logits')) fail(`the graph has no output "logits" (its outputs: ${names(outputs)})`, [LAYOUT]);
  const typeOf = (meta: InferenceSession.ValueMetadata | undefined) => (meta?.isTensor ? meta.type : 'unknown');
  const indexType = (name: string): IndexType | null => {
    if (!inputs.has(name)) return null;
    const type = typeOf(inputs.get(name));
    if (type !== 'int64' && type !== 'int32') fail(`input "${name}" has type ${type}; expected int64 or int32`);
    return type as IndexType;
  };
  const layers = new Set<number>();
  for (const name of inputs.keys()) {
    const match = PAST.exec(name);
    if (match) layers.add(Number(match[1]));
  }
  const pastLayers = layers.size;
  const missing: string[] = [];
  for (let l = 0; l < pastLayers; l++) {
    for (const kind of ['key', 'value']) {
      if (!inputs.has(`past_key_values.${l}.${kind}`)) missing.push(`input past_key_values.${l}.${kind}`);
      if (!outputs.has(`present.${l}.${kind}`)) missing.push(`output present.${l}.${kind}`);
    }
  }
  if (missing.length) fail(`the graph has past_key_values inputs for ${pastLayers} layers but lacks ${missing.join(', ')}`, ['every past_key_values.<i>.key/value input needs a matching present.<i>.key/value output (layers numbered from 0)']);
  const known = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch']);
  const unknown = [...inputs.keys()].filter((n) => !known.has(n) && !PAST.test(n));
  if (unknown.length) fail(`the graph has inputs this loader cannot feed: ${unknown.join(', ')}`, ['known inputs: input_ids, attention_mask, position_ids, past_key_values.<i>.key/value, use_cache_branch']);

  let pastType: FloatType = 'float32';
  let kvHeads = 0;
  let headDim = 0;
  if (pastLayers > 0) {
    const meta = inputs.get('past_key_values.0.key')!;
    const type = typeOf(meta);
    if (type !== 'float32' && type !== 'float16') fail(`input past_key_values.0.key has type ${type}; expected float32 or float16`);
    pastType = type as FloatType;
    const shape = meta.isTensor ? meta.shape : [];
    const heads = positiveInteger(config?.num_key_value_heads) ?? positiveInteger(config?.num_attention_heads) ?? positiveInteger(config?.n_head);
    const hidden = positiveInteger(config?.hidden_size) ?? positiveInteger(config?.n_embd);
    const configHeads = positiveInteger(config?.num_attention_heads) ?? positiveInteger(config?.n_head);
    kvHeads = positiveInteger(shape[1]) ?? heads ?? 0;
    headDim = positiveInteger(shape[3]) ?? positiveInteger(config?.head_dim) ?? (hidden && configHeads ? hidden / configHeads : 0);
    if (!kvHeads || !Number.isInteger(headDim) || headDim < 1) {
      fail('cannot tell the heads and head size of past_key_values (the graph leaves them symbolic and config.json has no num_key_value_heads/num_attention_heads and hidden_size/head_dim)');
    }
  }
  const logits = outputs.get('logits')!;
  const logitsType = typeOf(logits);
  if (logitsType !== 'float32' && logitsType !== 'float16') fail(`output "logits" has type ${logitsType}; expected float32 or float16`);
  const vocab = positiveInteger(logits.isTensor ? logits.shape[2] : undefined) ?? positiveInteger(config?.vocab_size);
  return {
    file,
    idsType: indexType('input_ids')!,
    maskType: indexType('attention_mask'),
    positionsType: indexType('position_ids'),
    pastLayers,
    pastType,
    kvHeads,
    headDim,
    useCacheBranch: inputs.has('use_cache_branch'),
    vocab,
  };
}

// ---------------------------------------------------------------- running the graph

/** The key/value tensors of every layer, as the graph returned them (fed back unchanged). */
type Past = Tensor[];

/** One forward pass: logits [rows, length, vocab] as float32, and the new cache when asked for. */
interface ForwardResult {
  logits: Float32Array;
  vocab: number;
  present: Past | null;
}

class DecoderRunner {
  constructor(
    private readonly ort: Ort,
    private readonly session: InferenceSession,
    readonly graph: GraphIO,
    private readonly dir: string,
    private readonly tokenizerVocab: number,
  ) {}

  private indexTensor(type: IndexType, values: ArrayLike<number>, dims: number[]): Tensor {
    if (type === 'int32') return new this.ort.Tensor('int32', Int32Array.from(values), dims);
    const data = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
    return new this.ort.Tensor('int64', data, dims);
  }

  private emptyPast(rows: number): Past {
    const { pastType, kvHeads, headDim, pastLayers } = this.graph;
    const dims = [rows, kvHeads, 0, headDim];
    const empty = () => (pastType === 'float16' ? new this.ort.Tensor('float16', new Uint16Array(0), dims) : new this.ort.Tensor('float32', new Float32Array(0), dims));
    return Array.from({ length: 2 * pastLayers }, empty);
  }

  /**
   * `rows` sequences of equal length (row-major `ids`) following `pastLength` cached tokens each,
   * at positions pastLength, pastLength + 1, ….
   */
  async forward(ids: ArrayLike<number>, rows: number, past: Past | null, pastLength: number, wantPresent: boolean): Promise<ForwardResult> {
    const length = ids.length / rows;
    const g = this.graph;
    const feeds: Record<string, Tensor> = { input_ids: this.indexTensor(g.idsType, ids, [rows, length]) };
    if (g.maskType) feeds.attention_mask = this.indexTensor(g.maskType, new Array(rows * (pastLength + length)).fill(1), [rows, pastLength + length]);
    if (g.positionsType) feeds.position_ids = this.indexTensor(g.positionsType, Array.from({ length: rows * length }, (_, i) => pastLength + (i % length)), [rows, length]);
    if (g.useCacheBranch) feeds.use_cache_branch = new this.ort.Tensor('bool', Uint8Array.from([pastLength > 0 ? 1 : 0]), [1]);
    const cache = past ?? (g.pastLayers ? this.emptyPast(rows) : []);
    for (let l = 0; l < g.pastLayers; l++) {
      feeds[`past_key_values.${l}.key`] = cache[2 * l];
      feeds[`past_key_values.${l}.value`] = cache[2 * l + 1];
    }
    const fetches = ['logits'];
    if (wantPresent) for (let l = 0; l < g.pastLayers; l++) fetches.push(`present.${l}.key`, `present.${l}.value`);
    const result = await this.session.run(feeds, fetches);
    const logits = result.logits as Tensor;
    const vocab = logits.dims[logits.dims.length - 1];
    if (logits.dims.length !== 3 || logits.dims[0] !== rows || logits.dims[1] !== length) {
      throw new UserError(`${g.file}: logits have shape [${logits.dims.join(', ')}]; expected [${rows}, ${length}, vocab] (batch, sequence, vocabulary)`);
    }
    if (vocab < this.tokenizerVocab) {
      throw new UserError(`onnx model ${this.dir}: ${TOKENIZER_FILE} has ${this.tokenizerVocab} tokens but the logits of ${MODEL_FILE} only ${vocab}`);
    }
    const present = wantPresent ? fetches.slice(1).map((name) => result[name] as Tensor) : null;
    return { logits: toFloat32(logits), vocab, present };
  }

  checkIds(ids: ArrayLike<number>, vocab: number | null): void {
    const limit = vocab ?? Infinity;
    for (let i = 0; i < ids.length; i++) {
      if (!Number.isInteger(ids[i]) || ids[i] < 0 || ids[i] >= limit) throw new RangeError(`onnx model ${this.dir}: token ${ids[i]} at index ${i} is outside the vocabulary 0..${limit - 1}`);
    }
  }
}

function toFloat32(tensor: Tensor): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  const half = tensor.data as Uint16Array;
  const out = new Float32Array(half.length);
  for (let i = 0; i < half.length; i++) out[i] = halfToFloat(half[i]);
  return out;
}

/** IEEE 754 binary16 → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

// ---------------------------------------------------------------- scoring and generation

/**
 * ln p(x_t | x_<t) for t = 1..n−1 with the sliding windows of harness/nn/lm/evaluate-lm.ts: windows
 * of L = min(window, n − 1) inputs every ceil(window/2) tokens, the last one aligned to the end, each
 * filling in the targets the previous one did not cover; SCORING_BATCH windows per forward pass.
 */
async function scoreTokens(runner: DecoderRunner, ids: ArrayLike<number>, window: number): Promise<Float64Array> {
  const n = ids.length;
  const out = new Float64Array(Math.max(0, n - 1));
  if (n < 2) return out;
  runner.checkIds(ids, runner.graph.vocab);
  const { length: L, starts } = scoringWindows(n, window);
  let covered = 0; // targets 1..covered are done
  for (let w0 = 0; w0 < starts.length; w0 += SCORING_BATCH) {
    const group = starts.slice(w0, w0 + SCORING_BATCH);
    const inputs = new Int32Array(group.length * L);
    group.forEach((s, row) => {
      for (let t = 0; t < L; t++) inputs[row * L + t] = ids[s + t];
    });
    const { logits, vocab } = await runner.forward(inputs, group.length, null, 0, false);
    group.forEach((s, row) => {
      for (let t = 0; t < L; t++) {
        const target = s + t + 1;
        if (target > covered) out[target - 1] = logSoftmaxAt(logits, (row * L + t) * vocab, vocab, ids[target]);
      }
      covered = s + L;
    });
  }
  return out;
}

/** ln softmax(row)[index] of the row of `vocab` logits starting at `offset`, in float64. */
function logSoftmaxAt(logits: Float32Array, offset: number, vocab: number, index: number): number {
  let max = -Infinity;
  for (let i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]);
  let sum = 0;
  for (let i = 0; i < vocab; i++) sum += Math.exp(logits[offset + i] - max);
  return logits[offset + index] - max - Math.log(sum);
}

/** The last position's logits of a forward pass. */
function lastRow({ logits, vocab }: ForwardResult): Float32Array {
  return logits.slice(logits.length - vocab);
}

/**
 * The generated ids, as generate() in harness/nn/lm/sample.ts: with a cache each token costs one
 * step over the cached keys/values; once the context outgrows `window` (or without a cache) every
 * token recomputes the last `window` tokens from scratch.
 */
async function generateTokens(runner: DecoderRunner, prompt: ArrayLike<number>, opts: TokenGenerateOptions, how: { window: number; useCache: boolean }): Promise<number[]> {
  runner.checkIds(prompt, runner.graph.vocab);
  const context = Array.from(prompt);
  const out: number[] = [];
  if (opts.maxTokens === 0) return out;
  const stop = new Set(opts.stop ?? []);
  const recompute = async () => {
    const used = context.length > how.window ? context.slice(context.length - how.window) : context;
    return lastRow(await runner.forward(used, 1, null, 0, false));
  };
  let past: Past | null = null;
  let pastLength = 0;
  const append = async (ids: number[]) => {
    const result = await runner.forward(ids, 1, past, pastLength, true);
    past = result.present;
    pastLength += ids.length;
    return lastRow(result);
  };
  let caching = how.useCache && context.length <= how.window;
  let logits = caching ? await append(context) : await recompute();
  for (;;) {
    const token = sampleToken(logits, { temperature: opts.temperature, topK: opts.topK, topP: opts.topP, rng: opts.rng });
    out.push(token);
    context.push(token);
    if (stop.has(token) || out.length >= opts.maxTokens || opts.shouldStop?.(out)) break;
    caching &&= context.length <= how.window;
    logits = caching ? await append([token]) : await recompute();
  }
  return out;
}
