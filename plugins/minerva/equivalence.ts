// Equivalence of two normalized LaTeX answers with @cortex-js/compute-engine: the maintained, MIT,
// pure-TypeScript computer-algebra library that parses LaTeX (the reference uses SymPy's parse_latex,
// which needs Python and an ANTLR runtime of one exact version). Same rule as the reference: equal
// strings, or both parse and their difference simplifies to 0; anything that fails to parse, throws
// or passes the time limit (the reference's 5 s) counts as not equivalent.
import { ComputeEngine } from '@cortex-js/compute-engine';

/** The reference's per-check limit. */
export const EQUIV_TIMEOUT_MS = 5000;

let engine: ComputeEngine | null = null;
const ce = (): ComputeEngine => (engine ??= new ComputeEngine());

type Boxed = NonNullable<ReturnType<ComputeEngine['parse']>>;

function isZero(x: Boxed): boolean {
  const n = x.N();
  if (n.isSame(0)) return true;
  const re = n.re;
  const im = n.im;
  return typeof re === 'number' && typeof im === 'number' && Number.isFinite(re) && Math.abs(re) < 1e-9 && Math.abs(im) < 1e-9;
}

export interface EquivOptions {
  timeoutMs?: number;
}

/** True when the answers are the same string or compute-engine proves them equal (never throws). */
export function isEquiv(a: string, b: string, opts: EquivOptions = {}): boolean {
  if (a === b) return true;
  if (a.trim() === '' || b.trim() === '') return false;
  const engine = ce();
  try {
    return engine.withTimeLimit({ ms: opts.timeoutMs ?? EQUIV_TIMEOUT_MS, label: 'minerva isEquiv' }, () => {
      const x = engine.parse(a);
      const y = engine.parse(b);
      if (!x || !y || !x.isValid || !y.isValid) return false;
      if (x.isEqual(y) === true) return true;
      const diff = engine.box(['Subtract', x, y]);
      if (!diff.isValid) return false;
      return isZero(diff.simplify());
    });
  } catch {
    return false;
  }
}
