// Corpus-level chrF with sacreBLEU's defaults (character order 6, word order 0, β = 2, whitespace
// removed): n-gram matches and counts are summed over the corpus per order, precision and recall are
// averaged over the orders, then combined into one F-score (not an average of per-order F-scores).
// Used by the in-context translation experiment of the paper (Table 5 reports chrF for eng→kgv).

const EPS = 1e-16;

function charNgrams(text: string, n: number): Map<string, number> {
  const chars = Array.from(text.replace(/\s+/g, ''));
  const out = new Map<string, number>();
  for (let i = 0; i + n <= chars.length; i++) {
    const g = chars.slice(i, i + n).join('');
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/** chrF in [0, 100] of hypotheses against one reference each. */
export function chrF(hypotheses: string[], references: string[], opts: { order?: number; beta?: number } = {}): number {
  if (hypotheses.length !== references.length) throw new RangeError(`chrF: ${hypotheses.length} hypotheses but ${references.length} references`);
  const order = opts.order ?? 6;
  const beta = opts.beta ?? 2;
  const matches = new Array<number>(order).fill(0);
  const hypCounts = new Array<number>(order).fill(0);
  const refCounts = new Array<number>(order).fill(0);
  for (let s = 0; s < hypotheses.length; s++) {
    for (let n = 1; n <= order; n++) {
      const h = charNgrams(hypotheses[s], n);
      const r = charNgrams(references[s], n);
      for (const [g, c] of h) {
        hypCounts[n - 1] += c;
        matches[n - 1] += Math.min(c, r.get(g) ?? 0);
      }
      for (const c of r.values()) refCounts[n - 1] += c;
    }
  }
  let precision = 0;
  let recall = 0;
  for (let n = 0; n < order; n++) {
    precision += hypCounts[n] > 0 ? matches[n] / hypCounts[n] : EPS;
    recall += refCounts[n] > 0 ? matches[n] / refCounts[n] : EPS;
  }
  precision /= order;
  recall /= order;
  const b2 = beta * beta;
  const denom = b2 * precision + recall;
  return denom > 0 ? (100 * (1 + b2) * precision * recall) / denom : 0;
}
