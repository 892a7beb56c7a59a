/**
 * Extrapolation metrics of arXiv 2209.06640 (eq. 4 and Fig. 1), as computed by the released
 * notebook (`get_error` and the win-probability cell).
 */

/** RMSE in log space: sqrt(mean((log ŷ − log y)²)). */
export function extrapolationRmse(predY: ArrayLike<number>, testY: ArrayLike<number>): number {
  return extrapolationError(predY, testY).rmse;
}

/**
 * RMSE and its standard error as released: with e_i = (log ŷ_i − log y_i)², μ = mean(e) and
 * std = population standard deviation of e (numpy `np.std`, ddof = 0),
 * se = sqrt(μ + std/√n) − sqrt(μ). (This adds the standard error of the mean of the squared
 * errors to μ before the square root; it is a one-sided bound rather than a symmetric
 * standard error, and it counts every test row, so repeated rows shrink it.)
 */
export function extrapolationError(predY: ArrayLike<number>, testY: ArrayLike<number>): { rmse: number; se: number; n: number } {
  const n = testY.length;
  if (predY.length !== n) throw new Error(`extrapolationRmse: ${predY.length} predictions for ${n} targets`);
  if (n === 0) return { rmse: NaN, se: NaN, n: 0 };
  const e = new Float64Array(n);
  let mu = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.log(predY[i]) - Math.log(testY[i]);
    e[i] = d * d;
    mu += e[i];
  }
  mu /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (e[i] - mu) * (e[i] - mu);
  const std = Math.sqrt(v / n);
  const se = Math.sqrt(mu + std / Math.sqrt(n)) - Math.sqrt(mu);
  return { rmse: Math.sqrt(mu), se, n };
}

export type WinFractionOptions = {
  /** Decimals kept (by truncation toward zero, like Python's int(e·10^d)/10^d) before ranking. */
  truncateDecimals?: number;
  /** Value substituted for a NaN RMSE (a failed fit) before truncation. */
  nanAs?: number;
};

/** curve id → (method → RMSE), as nested Maps or plain objects. */
export type RmseTable = ReadonlyMap<string, ReadonlyMap<string, number> | Readonly<Record<string, number>>> | Readonly<Record<string, ReadonlyMap<string, number> | Readonly<Record<string, number>>>>;

function entries<V>(m: ReadonlyMap<string, V> | Readonly<Record<string, V>>): [string, V][] {
  return m instanceof Map ? [...m.entries()] : Object.entries(m as Record<string, V>);
}

/**
 * Fraction of curves each method wins. Input: curve id → (method → RMSE), as a Map or a plain
 * object. Per curve, each RMSE is replaced by `nanAs` when NaN, truncated to `truncateDecimals`
 * decimals, and the minimum wins; k tied winners get 1/k each. The result maps every method
 * seen to (points won) / (number of curves). Defaults: 3 decimals, NaN → 1 (the notebook).
 * A method missing from a curve counts as NaN on that curve.
 */
export function winFractions(rmseByMethodByCurve: RmseTable, options: WinFractionOptions = {}): Record<string, number> {
  const decimals = options.truncateDecimals ?? 3;
  const nanAs = options.nanAs ?? 1;
  const scale = Math.pow(10, decimals);
  const curves = entries(rmseByMethodByCurve);
  const methods: string[] = [];
  for (const [, row] of curves) for (const [m] of entries(row)) if (!methods.includes(m)) methods.push(m);
  const wins: Record<string, number> = {};
  for (const m of methods) wins[m] = 0;
  if (curves.length === 0) return wins;
  for (const [, row] of curves) {
    const rowMap = new Map(entries(row));
    const vals = methods.map((m) => {
      let v = rowMap.get(m);
      if (v === undefined || Number.isNaN(v)) v = nanAs;
      // Python int() truncates toward zero; ±∞ stays ±∞ here (Python would raise).
      return Number.isFinite(v) ? Math.trunc(v * scale) / scale : v;
    });
    const best = Math.min(...vals);
    const winners = vals.filter((v) => v === best).length;
    vals.forEach((v, j) => {
      if (v === best) wins[methods[j]] += 1 / winners;
    });
  }
  for (const m of methods) wins[m] /= curves.length;
  return wins;
}
