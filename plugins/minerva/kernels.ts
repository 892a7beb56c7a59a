// Kernels, each checked against an independent computation before it is timed.
import type { Kernel } from '../../harness/api/index.ts';
import { createRng } from '../../harness/api/index.ts';
import { loadTensorBackend } from '../../harness/backends/tensors.ts';
import { generate } from '../../harness/nn/lm/sample.ts';
import type { Tf } from '../../harness/nn/lm/tf.ts';
import { transformerLM } from '../../harness/nn/lm/transformer.ts';
import { generateMathProblems } from '../../datasets/math-problems.ts';
import { getUnnormalizedAnswer, goldAnswer, normalizeFinalAnswer } from './answer.ts';
import { isEquiv } from './equivalence.ts';
import { equivalenceGolden, normalizationGolden, type EquivalenceCase, type NormalizationCase } from './golden.ts';
import { MODEL_CONFIG, WINDOW } from './model.ts';
import { majorityVote } from './voting.ts';
import { EQUIV_AGREEMENT_MIN } from './claims.ts';

// ---- normalization + extraction over the golden strings (reference: the Python outputs)

interface Normalized {
  normalized: string;
  strict: string;
  gold: string | null;
}

const normalizeExtract: Kernel<NormalizationCase[], Normalized[]> = {
  sizes: [{ strings: 640 }, { strings: 6400 }],
  setup(size, rng) {
    const golden = normalizationGolden();
    return Array.from({ length: size.strings }, () => golden[rng.int(golden.length)]);
  },
  run: (cases) => cases.map((c) => ({ normalized: normalizeFinalAnswer(c.input), strict: getUnnormalizedAnswer(c.input), gold: goldAnswer(c.input) })),
  reference: (cases) => cases.map((c) => ({ normalized: c.normalized, strict: c.strict, gold: c.gold })),
  check(a, e) {
    const i = a.findIndex((x, j) => x.normalized !== e[j].normalized || x.strict !== e[j].strict || x.gold !== e[j].gold);
    return i < 0 ? null : `string ${i}: ${JSON.stringify(a[i])} ≠ Python ${JSON.stringify(e[i])}`;
  },
  items: (size) => size.strings,
};

// ---- isEquiv latency over the SymPy golden pairs (reference: SymPy's verdicts, ≥ 95 % agreement)

const equivalence: Kernel<EquivalenceCase[], boolean[]> = {
  sizes: [{ pairs: 60 }, { pairs: 360 }],
  setup: (size) => equivalenceGolden().slice(0, size.pairs),
  run: (pairs) => pairs.map((p) => isEquiv(p.a, p.b)),
  reference: (pairs) => pairs.map((p) => p.sympy),
  check(a, e) {
    const agree = a.filter((v, i) => v === e[i]).length / a.length;
    return agree >= EQUIV_AGREEMENT_MIN ? null : `agreement with SymPy ${(100 * agree).toFixed(1)} % < ${EQUIV_AGREEMENT_MIN * 100} %`;
  },
  items: (size) => size.pairs,
};

// ---- maj1@64 with equivalence-class merging (reference: plurality over the known classes)

interface VoteInput {
  answers: string[];
  classes: number[];
}

const majority: Kernel<VoteInput, number> = {
  sizes: [{ answers: 16 }, { answers: 64 }],
  setup(size, rng) {
    // 4 answer classes, each a problem's answer forms, drawn with skewed probabilities
    const problems = generateMathProblems(rng, 64).filter((p) => p.forms.length >= 3).slice(0, 4);
    const answers: string[] = [];
    const classes: number[] = [];
    for (let i = 0; i < size.answers; i++) {
      const c = Math.min(3, Math.floor(-Math.log(1 - rng.next()) * 1.2));
      answers.push(normalizeFinalAnswer(problems[c].forms[rng.int(problems[c].forms.length)]));
      classes.push(c);
    }
    return { answers, classes };
  },
  run: (inp) => inp.classes[majorityVote(inp.answers, { equiv: isEquiv })!.index],
  reference(inp) {
    const votes = new Map<number, { n: number; first: number }>();
    inp.classes.forEach((c, i) => votes.set(c, { n: (votes.get(c)?.n ?? 0) + 1, first: votes.get(c)?.first ?? i }));
    return [...votes].sort((a, b) => b[1].n - a[1].n || a[1].first - b[1].first)[0][0];
  },
  check: (a, e) => (a === e ? null : `winning class ${a} ≠ ${e}`),
  items: (size) => size.answers,
};

// ---- sampling throughput of the in-box model architecture (KV cache vs recomputation)

interface SamplingInput {
  tf: Tf;
  model: ReturnType<typeof transformerLM>;
  prompt: Int32Array;
  tokens: number;
}

const sampling: Kernel<SamplingInput, number[]> = {
  sizes: [{ tokens: 32 }, { tokens: 128 }],
  async setup(size, rng) {
    const tf = (await loadTensorBackend('auto')).tf as Tf;
    const model = transformerLM(tf, MODEL_CONFIG, rng);
    const prompt = Int32Array.from({ length: WINDOW - size.tokens }, () => 1 + rng.int(MODEL_CONFIG.vocabSize - 1));
    return { tf, model, prompt, tokens: size.tokens };
  },
  run: (inp) => generate(inp.tf, inp.model, inp.prompt, { maxTokens: inp.tokens, temperature: 0.6, topP: 0.95, rng: createRng(7) }),
  reference: (inp) => generate(inp.tf, inp.model, inp.prompt, { maxTokens: inp.tokens, temperature: 0.6, topP: 0.95, rng: createRng(7), noCache: true }),
  check(a, e) {
    // float differences between cached and recomputed logits may flip a late draw; the first 8 must agree
    const n = Math.min(8, e.length);
    return a.slice(0, n).every((v, i) => v === e[i]) ? null : `first tokens ${a.slice(0, n)} ≠ ${e.slice(0, n)}`;
  },
  items: (size) => size.tokens,
};

export const kernels = {
  'normalize-extract': normalizeExtract,
  'is-equiv': equivalence,
  'majority-vote': majority,
  'char-lm-sampling': sampling,
};
