// Export of a trained transformerLM to an ONNX decoder folder in the layout Hugging Face Optimum
// writes for causal LMs, so that any loader of such folders (ours in harness/models/onnx, ONNX
// Runtime with transformers.js or Optimum) can run it:
//   model.onnx             one graph with and without a past: input_ids, attention_mask, position_ids,
//                          past_key_values.<i>.key/value → logits, present.<i>.key/value
//   config.json            model_type, sizes, max_position_embeddings (null when unbounded), eos
//   tokenizer.json         the byte or char tokenizer in the Hugging Face tokenizers format
//   tokenizer_config.json  no special tokens added, no clean-up of spaces when decoding
// The graph uses standard operators of opset 17 only (LayerNormalization is the newest) and is
// encoded with protobufjs from harness/nn/onnx-subset.proto.
//
// Numerics follow transformer.ts: attention scale folded into the query projection, the causal mask
// and ALiBi as an additive bias of MASKED = −1e9, GELU as x·σ(K(x + A·x³)), LayerNorm ε = 1e-5;
// sinusoidal and RoPE angles are computed in float64 (as the JS tables are) and rounded to float32.
// The cache stores keys after RoPE (as Optimum's exports do); only the graph reads it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnxModelType } from '../onnx.ts';
import { alibiSlopes, MASKED } from './positional.ts';
import type { CharTokenizer, Tokenizer } from './tokenizer.ts';
import type { TransformerConfig, TransformerLM } from './transformer.ts';

const OPSET = 17;
const IR_VERSION = 8;
const ELEM = { float: 1, int32: 6, int64: 7, bool: 9, double: 11 } as const;
const ATTR = { float: 1, int: 2, ints: 7 } as const;
const LAYER_NORM_EPSILON = 1e-5;
const ROPE_BASE = 10000;
// GELU, tanh form, written as in layers.ts: x·σ(x·(K·A·x² + K)).
const GELU_K = 1.5957691216057308;
const GELU_A = 0.044715;

export interface OnnxExportOptions {
  /** End-of-sequence ids, written to config.json as eos_token_id (null when absent). */
  eos?: readonly number[];
  /**
   * Longest context a loader should feed (config.json max_position_embeddings). Default: the
   * learned table's size for `learned`, null (unbounded) for the other positional schemes.
   */
  contextLength?: number | null;
  /** Write past_key_values inputs and present outputs (default true); false gives a graph that always recomputes. */
  pastKeyValues?: boolean;
  /** position_ids as a graph input (default true); without it positions are past_sequence_length + 0, 1, …. */
  positionIds?: boolean;
  /** Element type of input_ids, attention_mask and position_ids (default int64, as Optimum writes). */
  indexType?: 'int64' | 'int32';
}

/** Writes model.onnx, config.json, tokenizer.json and tokenizer_config.json into `dir` (created if
 * needed; those files are overwritten). Returns the paths written. */
export function exportTransformerOnnx(model: TransformerLM, tokenizer: Tokenizer, dir: string, opts: OnnxExportOptions = {}): string[] {
  if (tokenizer.vocabSize > model.vocabSize) {
    throw new RangeError(`exportTransformerOnnx: tokenizer ${tokenizer.id} has ${tokenizer.vocabSize} tokens but the model's vocabulary only ${model.vocabSize}`);
  }
  const contextLength = opts.contextLength === undefined ? model.maxLength : opts.contextLength;
  const files: Array<[string, string | Uint8Array]> = [
    ['model.onnx', transformerToOnnx(model, opts)],
    ['config.json', json(transformerConfigJson(model, { ...opts, contextLength }))],
    ['tokenizer.json', json(tokenizerJson(tokenizer))],
    ['tokenizer_config.json', json(tokenizerConfigJson(tokenizer, contextLength, opts.eos))],
  ];
  mkdirSync(dir, { recursive: true });
  return files.map(([name, content]) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  });
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

// ---------------------------------------------------------------- config.json

/** The Hugging Face-style config of an exported model. */
export function transformerConfigJson(model: TransformerLM, opts: Pick<OnnxExportOptions, 'eos' | 'pastKeyValues'> & { contextLength: number | null }): Record<string, unknown> {
  const c = model.config;
  const eos = opts.eos ?? [];
  return {
    model_type: 'harness-transformer',
    vocab_size: c.vocabSize,
    hidden_size: c.dModel,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    num_key_value_heads: c.heads,
    head_dim: c.dModel / c.heads,
    intermediate_size: c.ffn,
    max_position_embeddings: opts.contextLength,
    position_embedding_type: c.positional,
    ...(c.positional === 'rope' ? { rope_theta: ROPE_BASE } : {}),
    hidden_act: 'gelu_pytorch_tanh',
    layer_norm_eps: LAYER_NORM_EPSILON,
    tie_word_embeddings: c.tiedEmbeddings ?? false,
    bos_token_id: null,
    eos_token_id: eos.length === 0 ? null : eos.length === 1 ? eos[0] : [...eos],
    use_cache: opts.pastKeyValues ?? true,
    harness: { kind: model.kind, training_length: c.maxLength, params: model.paramCount() },
  };
}

// ---------------------------------------------------------------- tokenizer.json

/**
 * The tokenizer in the Hugging Face tokenizers format, producing exactly our ids.
 *   bytes: byte-level BPE without merges (GPT-2's byte ↔ character map, no regex split), so every
 *          UTF-8 byte is one token whose id is the byte value.
 *   chars: BPE without merges over the alphabet's characters (no pre-tokenizer, no normalizer), the
 *          special tokens as added tokens (split out first, longest match, as charTokenizer does),
 *          and a Fuse decoder that concatenates token texts.
 */
export function tokenizerJson(tokenizer: Tokenizer): Record<string, unknown> {
  if (tokenizer.id === 'bytes' && tokenizer.vocabSize === 256) return byteTokenizerJson();
  const chars = charTokenizerParts(tokenizer);
  if (chars) return charTokenizerJson(chars.alphabet, chars.specials);
  throw new RangeError(`tokenizer ${tokenizer.id}: only the byte tokenizer and charTokenizer can be written as tokenizer.json`);
}

/** GPT-2's map from bytes to printable characters (bytes.py's bytes_to_unicode). */
export function byteLevelAlphabet(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const map: string[] = new Array(256);
  let next = 0;
  for (let b = 0; b < 256; b++) map[b] = String.fromCharCode(printable(b) ? b : 256 + next++);
  return map;
}

function bpeModel(vocab: Record<string, number>): Record<string, unknown> {
  return {
    type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
    fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [],
  };
}

function byteTokenizerJson(): Record<string, unknown> {
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: [], normalizer: null,
    pre_tokenizer: byteLevel, post_processor: null, decoder: byteLevel,
    model: bpeModel(Object.fromEntries(byteLevelAlphabet().map((c, b) => [c, b]))),
  };
}

function charTokenizerJson(alphabet: readonly string[], specials: readonly string[]): Record<string, unknown> {
  const tokens = [...alphabet, ...specials];
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: specials.map((content, i) => ({ id: alphabet.length + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null, pre_tokenizer: null, post_processor: null, decoder: { type: 'Fuse' },
    model: bpeModel(Object.fromEntries(tokens.map((t, id) => [t, id]))),
  };
}

/** A charTokenizer's alphabet and special tokens, recovered from its id ("chars:<alphabet>+<a>,<b>"). */
function charTokenizerParts(tokenizer: Tokenizer): { alphabet: string[]; specials: string[] } | null {
  const tokens = (tokenizer as Partial<CharTokenizer>).tokens;
  if (!Array.isArray(tokens) || !tokenizer.id.startsWith('chars:')) return null;
  for (let n = tokens.length; n >= 0; n--) {
    const alphabet = tokens.slice(0, n);
    const specials = tokens.slice(n);
    const id = `chars:${alphabet.join('')}${specials.length ? `+${specials.join(',')}` : ''}`;
    if (id === tokenizer.id && alphabet.every((c) => Array.from(c).length === 1)) return { alphabet, specials };
  }
  return null;
}

function tokenizerConfigJson(tokenizer: Tokenizer, contextLength: number | null, eos: readonly number[] | undefined): Record<string, unknown> {
  const tokens = (tokenizer as Partial<CharTokenizer>).tokens;
  const eosToken = eos?.length && tokens ? tokens[eos[0]] ?? null : null;
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    // Decoding must give back the exact text: the BERT-era clean-up would drop spaces before punctuation.
    clean_up_tokenization_spaces: false,
    add_bos_token: false,
    add_eos_token: false,
    eos_token: eosToken,
    model_max_length: contextLength ?? 1e30,
    harness_tokenizer: tokenizer.id,
  };
}

// ---------------------------------------------------------------- the graph

type Attribute = { int: number } | { float: number } | { ints: number[] };

function encodeAttributes(attributes: Record<string, Attribute>): object[] {
  return Object.entries(attributes).map(([name, value]) =>
    'int' in value ? { name, type: ATTR.int, i: value.int } : 'float' in value ? { name, type: ATTR.float, f: value.float } : { name, type: ATTR.ints, ints: value.ints },
  );
}

/** Nodes and initializers of one graph. Value names are generated unless given; an initializer
 * name used twice refers to the first one (shared constants). */
class GraphBuilder {
  readonly nodes: object[] = [];
  readonly initializers: object[] = [];
  private readonly initializerNames = new Set<string>();
  private counter = 0;

  op(type: string, inputs: string[], attributes: Record<string, Attribute> = {}, output?: string): string {
    return this.multi(type, inputs, 1, attributes, output)[0];
  }

  /** An op with several outputs (Split). */
  multi(type: string, inputs: string[], outputs: number, attributes: Record<string, Attribute> = {}, output?: string): string[] {
    const names = Array.from({ length: outputs }, (_, i) => (i === 0 && output) || `${type.toLowerCase()}_${this.counter++}`);
    this.nodes.push({ op_type: type, name: `${names[0]}_node`, input: inputs, output: names, attribute: encodeAttributes(attributes) });
    return names;
  }

  private initializer(name: string, make: () => object): string {
    if (!this.initializerNames.has(name)) {
      this.initializerNames.add(name);
      this.initializers.push({ name, ...make() });
    }
    return name;
  }

  floats(name: string, dims: number[], data: ArrayLike<number>): string {
    return this.initializer(name, () => {
      const raw = new Uint8Array(data.length * 4);
      const view = new DataView(raw.buffer);
      for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
      return { dims, data_type: ELEM.float, raw_data: raw };
    });
  }

  doubles(name: string, dims: number[], data: ArrayLike<number>): string {
    return this.initializer(name, () => {
      const raw = new Uint8Array(data.length * 8);
      const view = new DataView(raw.buffer);
      for (let i = 0; i < data.length; i++) view.setFloat64(8 * i, data[i], true);
      return { dims, data_type: ELEM.double, raw_data: raw };
    });
  }

  /** int64 constant; `dims` [] makes a scalar. */
  int64s(name: string, values: number[], dims: number[] = [values.length]): string {
    return this.initializer(name, () => ({ dims, data_type: ELEM.int64, int64_data: values }));
  }
}

/** The model's variables by their stable names ("h0.attn.wq"), as float32 arrays. */
function weightsOf(model: TransformerLM): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const v of model.variables) out.set(v.name.slice(v.name.indexOf('/') + 1), { shape: v.shape, data: v.dataSync() as Float32Array });
  return out;
}

/** Concatenates [rows, c_i] row-major matrices along the columns, scaling each block by its factor. */
function concatColumns(blocks: Array<{ data: Float32Array; cols: number; scale: number }>, rows: number): Float32Array {
  const width = blocks.reduce((s, b) => s + b.cols, 0);
  const out = new Float32Array(rows * width);
  let offset = 0;
  for (const b of blocks) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < b.cols; c++) out[r * width + offset + c] = b.data[r * b.cols + c] * b.scale;
    offset += b.cols;
  }
  return out;
}

function transposeMatrix(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** Values built once and shared by every layer. */
interface Shared {
  /** [B or 1, S] int64 positions of the new tokens. */
  positions: string;
  /** [B or 1, 1 or H, S, T] float additive bias: 0 / ALiBi where visible, MASKED elsewhere. */
  bias: string;
  /** [4] int64: B, S, H, dh (activations are [B·S, ·] matrices; attention reshapes to heads). */
  headShape: string;
  /** RoPE cos and sin per column of the [B·S, 2d] query/key block (null without RoPE). */
  rope: { cos: string; sin: string } | null;
}

/** model.onnx bytes for a transformerLM (see the file comment for inputs and outputs). Activations
 * run as [B·S, width] matrices so every projection is one Gemm; only attention goes 4-D. */
export function transformerToOnnx(model: TransformerLM, opts: Pick<OnnxExportOptions, 'pastKeyValues' | 'positionIds' | 'indexType'> = {}): Uint8Array {
  const c: TransformerConfig = model.config;
  const withPast = opts.pastKeyValues ?? true;
  const withPositions = opts.positionIds ?? true;
  const indexElem = opts.indexType === 'int32' ? ELEM.int32 : ELEM.int64;
  const { dModel: d, heads: H, layers: nLayers, vocabSize: V } = c;
  const dh = d / H;
  const w = weightsOf(model);
  const param = (name: string) => {
    const t = w.get(name);
    if (!t) throw new RangeError(`transformerToOnnx: the model has no variable "${name}"`);
    return t;
  };
  const g = new GraphBuilder();
  const asInt64 = (input: string) => (indexElem === ELEM.int64 ? input : g.op('Cast', [input], { to: { int: ELEM.int64 } }));
  const ids = asInt64('input_ids');
  const mask = asInt64('attention_mask');
  const shared = sharedValues(g, c, { ids, mask, withPast, positionInput: withPositions ? asInt64('position_ids') : null });

  let embedded = g.op('Gather', [g.floats('tok_emb', [V, d], param('tok_emb').data), ids]); // [B, S, d]
  if (c.positional === 'learned') {
    embedded = g.op('Add', [embedded, g.op('Gather', [g.floats('pos_emb', param('pos_emb').shape, param('pos_emb').data), shared.positions])]);
  } else if (c.positional === 'sinusoidal') {
    embedded = g.op('Add', [embedded, sinusoidalEmbedding(g, shared.positions, d)]);
  }
  let x = g.op('Reshape', [embedded, g.int64s('rows_d', [-1, d])]);
  for (let l = 0; l < nLayers; l++) x = decoderLayer(g, c, l, x, shared, param, withPast);
  const normed = layerNorm(g, x, param('ln_f.g').data, param('ln_f.b').data, 'ln_f');
  const out = c.tiedEmbeddings ? transposeMatrix(param('tok_emb').data, V, d) : param('out.w').data;
  const logits = g.op('Gemm', [normed, g.floats('out.w', [d, V], out), g.floats('out.b', [V], param('out.b').data)]);
  g.op('Reshape', [logits, g.op('Concat', [g.op('Shape', [ids]), g.int64s('vocab_dim', [V])], { axis: { int: 0 } })], {}, 'logits');

  const indexInput = (name: string, dims: Array<number | string>) => ({ name, type: tensorType(indexElem, dims) });
  const inputs = [indexInput('input_ids', ['batch_size', 'sequence_length']), indexInput('attention_mask', ['batch_size', 'total_sequence_length'])];
  if (withPositions) inputs.push(indexInput('position_ids', ['batch_size', 'sequence_length']));
  const outputs = [{ name: 'logits', type: tensorType(ELEM.float, ['batch_size', 'sequence_length', V]) }];
  if (withPast) {
    for (let l = 0; l < nLayers; l++) {
      for (const kind of ['key', 'value']) {
        inputs.push({ name: `past_key_values.${l}.${kind}`, type: tensorType(ELEM.float, ['batch_size', H, 'past_sequence_length', dh]) });
        outputs.push({ name: `present.${l}.${kind}`, type: tensorType(ELEM.float, ['batch_size', H, 'total_sequence_length', dh]) });
      }
    }
  }
  const proto = {
    ir_version: IR_VERSION,
    producer_name: 'harness',
    producer_version: '1',
    doc_string: `${model.kind}: ${nLayers} layers, d ${d}, ${H} heads, FFN ${c.ffn}, vocabulary ${V}`,
    opset_import: [{ domain: '', version: OPSET }],
    graph: { name: model.kind, node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
  };
  const type = onnxModelType();
  return type.encode(type.fromObject(proto)).finish();
}

function tensorType(elem: number, dims: Array<number | string>) {
  return { tensor_type: { elem_type: elem, shape: { dim: dims.map((v) => (typeof v === 'number' ? { dim_value: v } : { dim_param: v })) } } };
}

/** Lengths, positions, the attention bias and RoPE tables, built once for all layers. */
function sharedValues(g: GraphBuilder, c: TransformerConfig, io: { ids: string; mask: string; withPast: boolean; positionInput: string | null }): Shared {
  const scalar = (name: string, value: number) => g.int64s(name, [value], []);
  const zero = scalar('const_0', 0);
  const one = scalar('const_1', 1);
  const axes = (name: string, values: number[]) => g.int64s(name, values);
  // S = new tokens, P = cached tokens, T = P + S.
  const idsShape = g.op('Shape', [io.ids]);
  const S = g.op('Gather', [idsShape, one], { axis: { int: 0 } });
  const P = io.withPast ? g.op('Gather', [g.op('Shape', ['past_key_values.0.key']), scalar('const_2', 2)], { axis: { int: 0 } }) : zero;
  const T = g.op('Add', [P, S]);
  const keyIndex = g.op('Range', [zero, T, one]); // [T]
  const queryIndex = g.op('Range', [P, T, one]); // [S]
  const positions = io.positionInput ?? g.op('Unsqueeze', [queryIndex, axes('axes_0', [0])]); // [B or 1, S]
  // Visible: key j ≤ query index and attention_mask[b, j] = 1 → [B, 1, S, T].
  const causal = g.op('LessOrEqual', [g.op('Unsqueeze', [keyIndex, axes('axes_0', [0])]), g.op('Unsqueeze', [queryIndex, axes('axes_1', [1])])]);
  const padding = g.op('Unsqueeze', [g.op('Cast', [io.mask], { to: { int: ELEM.bool } }), axes('axes_1_2', [1, 2])]);
  const visible = g.op('And', [causal, padding]);
  const masked = g.floats('const_masked', [], [MASKED]);
  let bias: string;
  if (c.positional === 'alibi') {
    // −m_h·(query position − key position); key positions count the unmasked keys (cumsum − 1), as
    // Hugging Face's ALiBi models do, which is the key index when nothing is padded.
    const toFloat = (v: string) => g.op('Cast', [v], { to: { int: ELEM.float } });
    const keyPositions = g.op('Sub', [g.op('CumSum', [io.mask, one]), g.int64s('const_1_vec', [1])]);
    const distance = g.op('Sub', [
      toFloat(g.op('Unsqueeze', [positions, axes('axes_1_3', [1, 3])])), // [B, 1, S, 1]
      toFloat(g.op('Unsqueeze', [keyPositions, axes('axes_1_2', [1, 2])])), // [B, 1, 1, T]
    ]);
    const slopes = Array.from(alibiSlopes(c.heads), (m) => -m);
    bias = g.op('Where', [visible, g.op('Mul', [distance, g.floats('alibi_slopes', [1, c.heads, 1, 1], slopes)]), masked]);
  } else {
    bias = g.op('Where', [visible, g.floats('const_zero', [], [0]), masked]);
  }
  const dh = c.dModel / c.heads;
  const headShape = g.op('Concat', [idsShape, g.int64s('heads_dh', [c.heads, dh])], { axis: { int: 0 } });
  const rope = c.positional === 'rope' ? ropeTables(g, positions, idsShape, c) : null;
  return { positions, bias, headShape, rope };
}

/** Angles p·f_i in float64 from int64 positions [B, S] and per-pair factors → cos and sin [B, S, k] float. */
function angles(g: GraphBuilder, positions: string, name: string, factors: number[], op: 'Mul' | 'Div'): { cos: string; sin: string } {
  const p = g.op('Unsqueeze', [g.op('Cast', [positions], { to: { int: ELEM.double } }), g.int64s('axes_last', [-1])]);
  const angle = g.op(op, [p, g.doubles(name, [factors.length], factors)]);
  const toFloat = (v: string) => g.op('Cast', [v], { to: { int: ELEM.float } });
  return { cos: toFloat(g.op('Cos', [angle])), sin: toFloat(g.op('Sin', [angle])) };
}

/**
 * RoPE as q·cos + rotate_half(q)·sin, per column of the [B·S, 2d] block holding every head of q
 * then of k: each head's dh columns read the pair tables [cos_0..cos_{dh/2−1}] twice.
 * rotate_half is folded into the projection weights (see decoderLayer).
 */
function ropeTables(g: GraphBuilder, positions: string, idsShape: string, c: TransformerConfig): { cos: string; sin: string } {
  const dh = c.dModel / c.heads;
  const factors = Array.from({ length: dh / 2 }, (_, i) => Math.pow(ROPE_BASE, (-2 * i) / dh));
  const { cos, sin } = angles(g, positions, 'rope_inv_freq', factors, 'Mul'); // [B or 1, S, dh/2]
  const fullShape = g.op('Concat', [idsShape, g.int64s('rope_width', [2 * c.dModel])], { axis: { int: 0 } }); // B, S, 2d
  const columns = (half: string) => {
    const head = g.op('Concat', [half, half], { axis: { int: -1 } }); // [B or 1, S, dh]
    const all = g.op('Tile', [head, g.int64s('rope_tiles', [1, 1, 2 * c.heads])]); // [B or 1, S, 2d]
    return g.op('Reshape', [g.op('Expand', [all, fullShape]), g.int64s('rows_2d', [-1, 2 * c.dModel])]);
  };
  return { cos: columns(cos), sin: columns(sin) };
}

/** sin in even columns and cos in odd ones, angle p / 10000^(i/d) for even i (positional.ts). */
function sinusoidalEmbedding(g: GraphBuilder, positions: string, d: number): string {
  const pairs = Math.ceil(d / 2);
  const denominators = Array.from({ length: pairs }, (_, k) => Math.pow(10000, (2 * k) / d));
  const { cos, sin } = angles(g, positions, 'sinusoidal_denominators', denominators, 'Div');
  const last = g.int64s('axes_last', [-1]);
  const interleaved = g.op('Concat', [g.op('Unsqueeze', [sin, last]), g.op('Unsqueeze', [cos, last])], { axis: { int: -1 } }); // [B, S, pairs, 2]
  const flat = g.op('Reshape', [interleaved, g.int64s('sinusoidal_shape', [0, 0, 2 * pairs])]);
  return 2 * pairs === d ? flat : g.op('Slice', [flat, g.int64s('sinusoidal_start', [0]), g.int64s('sinusoidal_end', [d]), last]);
}

function layerNorm(g: GraphBuilder, x: string, gain: Float32Array, bias: Float32Array, name: string): string {
  return g.op('LayerNormalization', [x, g.floats(`${name}.g`, [gain.length], gain), g.floats(`${name}.b`, [bias.length], bias)], { axis: { int: -1 }, epsilon: { float: LAYER_NORM_EPSILON } });
}

type Param = (name: string) => { shape: number[]; data: Float32Array };

/** Columns of a [rows, d] matrix (or a [d] vector, rows = 1) with rotate_half applied per head:
 * (a, b) ↦ (−b, a) on each head's two halves, so x·W·R = rotate_half(x·W). */
function rotateHalfColumns(data: Float32Array, rows: number, d: number, dh: number): Float32Array {
  const out = new Float32Array(data.length);
  const half = dh / 2;
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < d; h += dh) {
      for (let j = 0; j < half; j++) {
        out[r * d + h + j] = -data[r * d + h + half + j];
        out[r * d + h + half + j] = data[r * d + h + j];
      }
    }
  }
  return out;
}

function decoderLayer(g: GraphBuilder, c: TransformerConfig, l: number, x: string, shared: Shared, param: Param, withPast: boolean): string {
  const { dModel: d, heads: H } = c;
  const dh = d / H;
  const p = `h${l}`;
  const scale = 1 / Math.sqrt(dh);
  const h = layerNorm(g, x, param(`${p}.ln1.g`).data, param(`${p}.ln1.b`).data, `${p}.ln1`);
  // One Gemm for [q | k | v] (+ [rotate_half(q) | rotate_half(k)] with RoPE); the attention scale is
  // folded into q's columns.
  const wq = param(`${p}.attn.wq`).data;
  const wk = param(`${p}.attn.wk`).data;
  const bq = param(`${p}.attn.bq`).data;
  const bk = param(`${p}.attn.bk`).data;
  const blocks = (q: Float32Array, k: Float32Array, v: Float32Array, rows: number) => [
    { data: q, cols: d, scale },
    { data: k, cols: d, scale: 1 },
    { data: v, cols: d, scale: 1 },
    ...(shared.rope ? [{ data: rotateHalfColumns(q, rows, d, dh), cols: d, scale }, { data: rotateHalfColumns(k, rows, d, dh), cols: d, scale: 1 }] : []),
  ];
  const width = (shared.rope ? 5 : 3) * d;
  const wAll = concatColumns(blocks(wq, wk, param(`${p}.attn.wv`).data, d), d);
  const bAll = concatColumns(blocks(bq, bk, param(`${p}.attn.bv`).data, 1), 1);
  const projected = g.op('Gemm', [h, g.floats(`${p}.attn.w_qkv`, [d, width], wAll), g.floats(`${p}.attn.b_qkv`, [width], bAll)]);
  let q: string;
  let k: string;
  let v: string;
  if (shared.rope) {
    const [qk, values, qkRotated] = g.multi('Split', [projected, g.int64s('split_qk_v_qk', [2 * d, d, 2 * d])], 3, { axis: { int: -1 } });
    const rotated = g.op('Add', [g.op('Mul', [qk, shared.rope.cos]), g.op('Mul', [qkRotated, shared.rope.sin])]);
    [q, k] = g.multi('Split', [rotated, g.int64s('split_q_k', [d, d])], 2, { axis: { int: -1 } });
    v = values;
  } else {
    [q, k, v] = g.multi('Split', [projected, g.int64s('split_q_k_v', [d, d, d])], 3, { axis: { int: -1 } });
  }
  const toHeads = (t: string) => g.op('Transpose', [g.op('Reshape', [t, shared.headShape])], { perm: { ints: [0, 2, 1, 3] } }); // [B, H, S, dh]
  const newKeys = toHeads(k);
  const newValues = toHeads(v);
  const keys = withPast ? g.op('Concat', [`past_key_values.${l}.key`, newKeys], { axis: { int: 2 } }, `present.${l}.key`) : newKeys;
  const values = withPast ? g.op('Concat', [`past_key_values.${l}.value`, newValues], { axis: { int: 2 } }, `present.${l}.value`) : newValues;
  const scores = g.op('Add', [g.op('MatMul', [toHeads(q), g.op('Transpose', [keys], { perm: { ints: [0, 1, 3, 2] } })]), shared.bias]); // [B, H, S, T]
  const attended = g.op('MatMul', [g.op('Softmax', [scores], { axis: { int: -1 } }), values]); // [B, H, S, dh]
  const merged = g.op('Reshape', [g.op('Transpose', [attended], { perm: { ints: [0, 2, 1, 3] } }), g.int64s('rows_d', [-1, d])]);
  const linear = (input: string, weight: string, bias: string) => {
    const wt = param(`${p}.${weight}`);
    const b = param(`${p}.${bias}`);
    return g.op('Gemm', [input, g.floats(`${p}.${weight}`, wt.shape, wt.data), g.floats(`${p}.${bias}`, b.shape, b.data)]);
  };
  const afterAttention = g.op('Add', [x, linear(merged, 'attn.wo', 'attn.bo')]);
  const h2 = layerNorm(g, afterAttention, param(`${p}.ln2.g`).data, param(`${p}.ln2.b`).data, `${p}.ln2`);
  const hidden = linear(h2, 'ffn.w1', 'ffn.b1');
  const square = g.op('Mul', [hidden, hidden]);
  const inner = g.op('Mul', [hidden, g.op('Add', [g.op('Mul', [square, g.floats('gelu_ka', [], [GELU_K * GELU_A])]), g.floats('gelu_k', [], [GELU_K])])]);
  const activated = g.op('Mul', [hidden, g.op('Sigmoid', [inner])]);
  return g.op('Add', [afterAttention, linear(activated, 'ffn.w2', 'ffn.b2')]);
}
