// An online PPM language model over token ids: orders 0..K (default 6), PPM-C escape estimates,
// blended (interpolated) down to a uniform order −1, no exclusion, counts updated after every token.
// Its context is unbounded: it remembers the whole stream, so it retrieves a needle as soon as the
// question's last K tokens occurred once before, and its cumulative NLL keeps falling with position.
//
//   P_{−1}(x) = 1/V;   P_k(x | s_k) = (c_k(x) + u_k·P_{k−1}(x)) / (n_k + u_k)
//
// where s_k is the context of the last k tokens, c_k(x) its count of x, n_k = Σ_x c_k(x) and u_k the
// number of distinct symbols seen after s_k (the PPM-C escape count). A context never seen (n_k = 0)
// passes P_{k−1} through. Every P_k sums to 1 over the vocabulary, by induction on k.
//
// Storage: a forward context trie whose nodes are strings of ≤ K+1 tokens, in typed arrays; the edge
// (node, token) → child lives in an open-addressing hash table keyed exactly by the pair (no hashing
// of whole contexts, so no collisions). Each node keeps its count as a continuation of its parent,
// the total n and distinct u of its own children, and a sibling list for enumeration (greedy decode).

const EMPTY = -1;

/** Open-addressing (linear probing) map from (parent node, token) to child node. */
class EdgeTable {
  private parents: Int32Array;
  private tokens: Int32Array;
  private children: Int32Array;
  private mask: number;
  private used = 0;

  constructor(capacityLog2 = 16) {
    const cap = 1 << capacityLog2;
    this.parents = new Int32Array(cap).fill(EMPTY);
    this.tokens = new Int32Array(cap);
    this.children = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private static hash(parent: number, token: number): number {
    let h = Math.imul(parent, 0x9e3779b1) ^ Math.imul(token + 0x632be5ab, 0x85ebca77);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    return (h ^ (h >>> 13)) >>> 0;
  }

  get(parent: number, token: number): number {
    let i = EdgeTable.hash(parent, token) & this.mask;
    for (;;) {
      const p = this.parents[i];
      if (p === EMPTY) return EMPTY;
      if (p === parent && this.tokens[i] === token) return this.children[i];
      i = (i + 1) & this.mask;
    }
  }

  /** Inserts a new edge (the caller knows it is absent). */
  put(parent: number, token: number, child: number): void {
    if (2 * (this.used + 1) > this.mask + 1) this.grow();
    let i = EdgeTable.hash(parent, token) & this.mask;
    while (this.parents[i] !== EMPTY) i = (i + 1) & this.mask;
    this.parents[i] = parent;
    this.tokens[i] = token;
    this.children[i] = child;
    this.used++;
  }

  private grow(): void {
    const { parents, tokens, children } = this;
    const cap = (this.mask + 1) * 2;
    this.parents = new Int32Array(cap).fill(EMPTY);
    this.tokens = new Int32Array(cap);
    this.children = new Int32Array(cap);
    this.mask = cap - 1;
    this.used = 0;
    for (let i = 0; i < parents.length; i++) if (parents[i] !== EMPTY) this.put(parents[i], tokens[i], children[i]);
  }
}

export interface PpmOptions {
  /** Highest context order K (default 6). */
  order?: number;
  /** Vocabulary size V: the uniform order −1 spreads its mass over ids 0..V−1. */
  vocabSize: number;
}

/** The model's state after a stream of tokens; `update` appends one, `logProb`/`distribution` predict the next. */
export class PpmModel {
  readonly order: number;
  readonly vocabSize: number;
  private edges = new EdgeTable();
  // per node: its token, its count as a continuation of its parent, totals of its own children, sibling list
  private symbol = new Int32Array(1 << 12);
  private count = new Int32Array(1 << 12);
  private total = new Int32Array(1 << 12);
  private distinct = new Int32Array(1 << 12);
  private firstChild = new Int32Array(1 << 12).fill(EMPTY);
  private nextSibling = new Int32Array(1 << 12).fill(EMPTY);
  private nodes = 1; // node 0 = root = the empty context
  /** Context nodes of orders 0..K for the next prediction; EMPTY where fewer tokens were seen. */
  private contexts: Int32Array;
  private next: Int32Array;
  private bestOrder0 = EMPTY;
  private seen = 0;

  constructor(opts: PpmOptions) {
    this.order = opts.order ?? 6;
    this.vocabSize = opts.vocabSize;
    if (!Number.isInteger(this.order) || this.order < 0) throw new RangeError(`PPM order must be an integer ≥ 0, got ${opts.order}`);
    if (!Number.isInteger(this.vocabSize) || this.vocabSize < 1) throw new RangeError(`PPM vocabSize must be a positive integer, got ${opts.vocabSize}`);
    this.contexts = new Int32Array(this.order + 1).fill(EMPTY);
    this.contexts[0] = 0;
    this.next = new Int32Array(this.order + 1);
  }

  /** Tokens consumed so far. */
  get length(): number {
    return this.seen;
  }

  /** Trie nodes allocated (memory grows with it: ≈ 24 bytes per node plus the edge table). */
  get nodeCount(): number {
    return this.nodes;
  }

  private newNode(parent: number, token: number): number {
    if (this.nodes === this.symbol.length) {
      const grow = <T extends Int32Array>(a: T, fill?: number): T => {
        const b = new Int32Array(a.length * 2) as T;
        if (fill !== undefined) b.fill(fill, a.length);
        b.set(a);
        return b;
      };
      this.symbol = grow(this.symbol);
      this.count = grow(this.count);
      this.total = grow(this.total);
      this.distinct = grow(this.distinct);
      this.firstChild = grow(this.firstChild, EMPTY);
      this.nextSibling = grow(this.nextSibling, EMPTY);
    }
    const id = this.nodes++;
    this.symbol[id] = token;
    this.nextSibling[id] = this.firstChild[parent];
    this.firstChild[parent] = id;
    this.edges.put(parent, token, id);
    return id;
  }

  private checkToken(token: number): void {
    if (!Number.isInteger(token) || token < 0 || token >= this.vocabSize) {
      throw new RangeError(`token id ${token} is outside the vocabulary 0..${this.vocabSize - 1}`);
    }
  }

  /** Appends `token` to the stream: every context of order 0..K counts it once. */
  update(token: number): void {
    this.checkToken(token);
    const { contexts, next } = this;
    next[0] = 0;
    for (let k = 0; k <= this.order; k++) {
      const ctx = contexts[k];
      if (ctx === EMPTY) break;
      let child = this.edges.get(ctx, token);
      if (child === EMPTY) {
        child = this.newNode(ctx, token);
        this.distinct[ctx]++;
      }
      this.count[child]++;
      this.total[ctx]++;
      if (k < this.order) next[k + 1] = child;
      if (k === 0) {
        const best = this.bestOrder0;
        if (best === EMPTY || this.count[child] > this.count[best] || (this.count[child] === this.count[best] && token < this.symbol[best])) {
          this.bestOrder0 = child;
        }
      }
    }
    this.seen++;
    const known = Math.min(this.seen, this.order);
    for (let k = 0; k <= this.order; k++) contexts[k] = k <= known ? next[k] : EMPTY;
  }

  /** P(token | the stream so far), blended from order −1 up to K. */
  prob(token: number): number {
    this.checkToken(token);
    let p = 1 / this.vocabSize;
    for (let k = 0; k <= this.order; k++) {
      const ctx = this.contexts[k];
      if (ctx === EMPTY) break;
      const n = this.total[ctx];
      if (n === 0) continue;
      const u = this.distinct[ctx];
      const child = this.edges.get(ctx, token);
      const c = child === EMPTY ? 0 : this.count[child];
      p = (c + u * p) / (n + u);
    }
    return p;
  }

  logProb(token: number): number {
    return Math.log(this.prob(token));
  }

  /** The whole predictive distribution (length V); for tests and small vocabularies. */
  distribution(): Float64Array {
    const out = new Float64Array(this.vocabSize);
    for (let x = 0; x < this.vocabSize; x++) out[x] = this.prob(x);
    return out;
  }

  /**
   * argmax_x P(x | stream), ties → lowest id. Only symbols seen after some context of order ≥ 1 and the
   * most frequent order-0 symbol can be the maximum: every other symbol's probability is an increasing
   * function of its order-0 count alone.
   */
  argmax(): number {
    let best = this.bestOrder0 === EMPTY ? 0 : this.symbol[this.bestOrder0];
    let bestP = this.prob(best);
    for (let k = 1; k <= this.order; k++) {
      const ctx = this.contexts[k];
      if (ctx === EMPTY) break;
      for (let c = this.firstChild[ctx]; c !== EMPTY; c = this.nextSibling[c]) {
        const x = this.symbol[c];
        const p = this.prob(x);
        if (p > bestP || (p === bestP && x < best)) {
          best = x;
          bestP = p;
        }
      }
    }
    return best;
  }
}

/** ln P(x_t | x_<t) for t = 1..n−1 of one stream, predicting then updating (length n−1). */
export function ppmLogProbs(ids: ArrayLike<number>, opts: PpmOptions): Float64Array {
  const model = new PpmModel(opts);
  const out = new Float64Array(Math.max(0, ids.length - 1));
  if (ids.length === 0) return out;
  model.update(ids[0]);
  for (let t = 1; t < ids.length; t++) {
    out[t - 1] = model.logProb(ids[t]);
    model.update(ids[t]);
  }
  return out;
}

/** Greedy continuation: reads the prompt, then appends its own argmax `maxTokens` times (stops after a stop id). */
export function ppmGreedy(prompt: ArrayLike<number>, maxTokens: number, opts: PpmOptions & { stop?: number[] }): number[] {
  const model = new PpmModel(opts);
  for (let i = 0; i < prompt.length; i++) model.update(prompt[i]);
  const out: number[] = [];
  const stop = new Set(opts.stop ?? []);
  while (out.length < maxTokens) {
    const x = model.argmax();
    out.push(x);
    if (stop.has(x)) break;
    model.update(x);
  }
  return out;
}
