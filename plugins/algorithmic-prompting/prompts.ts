// Few-shot prompts: a fixed set of short exemplars per operation (the paper's parity list and
// 128 + 367 first, then exemplars drawn from the unit's rng), optionally perturbed, then the question.
import type { Rng } from '../../harness/api/index.ts';
import { randomCompositionProblem, randomProblem, trace, traceText, type Operation, type Problem, type Style, type Trace } from './traces.ts';

export type Perturbation = 'none' | 'systematic' | 'irregular';
export const PERTURBATIONS: readonly Perturbation[] = ['none', 'systematic', 'irregular'];

/** Exemplar lengths (bits or digits): short, as in the paper (≈ 3 exemplars of 2–5 digits). */
export const EXEMPLAR_LENGTHS: Record<Operation, number[]> = {
  parity: [5, 3, 4],
  addition: [3, 2, 5],
  subtraction: [3, 2, 5],
  multiplication: [3, 2, 4],
};

/** The paper's own first exemplars (Appendix parity prompt; Sec. 2's 128 + 367). */
const FIRST: Partial<Record<Operation, Problem>> = {
  parity: { op: 'parity', bits: [1, 1, 0, 1, 0] },
  addition: { op: 'addition', a: '128', b: '367' },
};

/** Exemplar separator; also the stop string of generation (traces never hold a blank line). */
export const SEPARATOR = '\n\n';

/**
 * The exemplars of a prompt. `systematic`: every exemplar executes the consistently wrong rule;
 * `irregular`: each exemplar with at least two steps gets one wrong written result at a random step,
 * the steps after it going on from the right state.
 */
export function exemplars(rng: Rng, op: Operation, style: Style, perturbation: Perturbation = 'none'): Trace[] {
  return EXEMPLAR_LENGTHS[op].map((n, i) => {
    const problem = i === 0 && FIRST[op] ? FIRST[op]! : randomProblem(rng, op, n);
    if (perturbation === 'systematic') return trace(problem, style, { rule: 'systematic' });
    if (perturbation === 'irregular') {
      const steps = op === 'parity' ? problem.op === 'parity' && problem.bits.length : (problem as { a: string }).a.length;
      return trace(problem, style, { typos: new Set([rng.int(steps as number)]) });
    }
    return trace(problem, style);
  });
}

/**
 * Skill composition: the addition skill (128 + 367) and two multiplications (3 × 2 and 2 × 2 digits)
 * whose traces call it.
 */
export function compositionExemplars(rng: Rng, style: Style): Trace[] {
  return [trace(FIRST.addition!, style), trace(randomCompositionProblem(rng, 3), style), trace(randomCompositionProblem(rng, 2), style)];
}

/** Exemplars with a blank line after each: what comes before every question. */
export function exemplarPrefix(shots: readonly Trace[]): string {
  return shots.map(traceText).join(SEPARATOR) + SEPARATOR;
}

/** Exemplars, a blank line between them, then the question up to its answer cue. */
export function buildPrompt(shots: readonly Trace[], question: Trace): string {
  return exemplarPrefix(shots) + question.question;
}
