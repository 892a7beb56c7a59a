// The golden sets made once offline by scripts/ (Python Appendix-D reference, SymPy verdicts), read as data.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NormalizationCase {
  input: string;
  normalized: string;
  strict: string;
  gold: string | null;
}

export interface EquivalenceCase {
  a: string;
  b: string;
  /** SymPy's verdict (parse_latex, simplify(a − b) == 0, 5 s timeout; parse failure = false). */
  sympy: boolean;
  /** Why SymPy said false when it did not compute a difference: "parse", "timeout", "error", or "". */
  note: string;
}

const dataFile = (name: string) => fileURLToPath(new URL(`./data/${name}`, import.meta.url));

function readJsonl<T>(name: string): T[] {
  return readFileSync(dataFile(name), 'utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as T);
}

export const normalizationGolden = (): NormalizationCase[] => readJsonl<NormalizationCase>('normalization-golden.jsonl');
export const equivalenceGolden = (): EquivalenceCase[] => readJsonl<EquivalenceCase>('equivalence-golden.jsonl');
