// Test fixture (never a leaderboard method): the spec's synthetic stochastic solver. For each problem
// it knows the answer forms; greedy decoding returns the canonical answer, a sample returns the
// correct answer with probability p (in a random surface form) or else one of the distractors with
// skewed probabilities — enough to exercise extraction, normalization, equivalence and voting.
import type { Rng } from '../../../harness/api/index.ts';
import { localLanguageModel, type LocalLanguageModel } from '../../../harness/models/local.ts';
import { byteTokenizer } from '../../../harness/nn/lm/tokenizer.ts';

export interface SolverProblem {
  problem: string;
  forms: string[];
  distractors: string[];
}

/** Distractor j is drawn with probability ∝ 2^−j. */
export function drawAnswer(p: SolverProblem, correctProbability: number, rng: Rng): string {
  if (rng.next() < correctProbability) return p.forms[rng.int(p.forms.length)];
  const weights = p.distractors.map((_, j) => 2 ** -j);
  let u = rng.next() * weights.reduce((s, w) => s + w, 0);
  for (let j = 0; j < weights.length; j++) if ((u -= weights[j]) < 0) return p.distractors[j];
  return p.distractors[p.distractors.length - 1];
}

export const solutionText = (answer: string) => `\nWe compute it.\nFinal Answer: The final answer is $${answer}$. I hope it is correct.\n\nProblem:\n`;

/** The problem of a Minerva prompt: the text between the last "Problem:\n" and "\n\nSolution:". */
export function lastProblem(prompt: string): string {
  const start = prompt.lastIndexOf('Problem:\n') + 'Problem:\n'.length;
  return prompt.slice(start, prompt.lastIndexOf('\n\nSolution:'));
}

/** The solver as a LanguageModel over bytes (so it can be served over HTTP like any model). */
export function syntheticSolverModel(problems: SolverProblem[], correctProbability: number): LocalLanguageModel {
  const byText = new Map(problems.map((p) => [p.problem, p]));
  return localLanguageModel(
    { name: 'synthetic-solver', kind: 'builtin', identity: { fixture: 'synthetic-solver', correctProbability }, contextLength: null, chat: false, logprobs: false },
    byteTokenizer,
    {
      tokenLogProbs: () => {
        throw new Error('synthetic-solver has no log-probabilities');
      },
      generate(prompt, g) {
        const p = byText.get(lastProblem(byteTokenizer.decode(prompt)));
        const answer = !p ? 'unknown' : g.temperature === 0 ? p.forms[0] : drawAnswer(p, correctProbability, g.rng!);
        return Array.from(byteTokenizer.encode(solutionText(answer)));
      },
    },
  );
}
