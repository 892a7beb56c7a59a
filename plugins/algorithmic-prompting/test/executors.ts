// Test fixtures, not leaderboard methods: language models that execute the algorithm instead of
// learning it. The oracle reads the last question of a prompt and writes the exact trace in the
// prompt's style (it must score 100 %); the noisy executor slips at each step with probability ε
// and from its first slip on writes a wrong trace and a wrong answer, so its accuracy is (1 − ε)^steps.
import { createRng } from '../../../harness/api/index.ts';
import { localLanguageModel, type LocalLanguageModel } from '../../../harness/models/local.ts';
import { byteTokenizer } from '../../../harness/nn/lm/tokenizer.ts';
import { parseQuestion, styleOf } from '../parse.ts';
import { SEPARATOR } from '../prompts.ts';
import { trace, traceBody, type Style, type Trace } from '../traces.ts';

/** The question at the end of a prompt and the style its exemplars use. */
export function lastQuestion(prompt: string): { gold: Trace; style: Style } {
  const question = prompt.slice(prompt.lastIndexOf(SEPARATOR) + SEPARATOR.length);
  const firstExemplar = prompt.slice(0, prompt.indexOf(SEPARATOR));
  const firstBodyLine = firstExemplar.split('\n')[1]?.replace(/^A: /, '') ?? '';
  const style = styleOf(question, question.startsWith('Q:') ? firstBodyLine : '');
  return { gold: trace(parseQuestion(question), style), style };
}

function hashString(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** What the noisy executor writes for a prompt: the gold body, or a trace derailed at its first slip. */
export function noisyBody(prompt: string, epsilon: number, seed = 0): { body: string; slippedAt: number | null } {
  const { gold } = lastQuestion(prompt);
  const rng = createRng((hashString(prompt) ^ seed) >>> 0);
  const steps = gold.style === 'few-shot' ? 1 : gold.lines.length - gold.firstStep - 1;
  let slip: number | null = null;
  for (let i = 0; i < steps; i++) if (rng.next() < epsilon && slip === null) slip = i;
  if (slip === null) return { body: traceBody(gold), slippedAt: null };
  if (gold.style === 'few-shot') return { body: gold.problem.op === 'parity' ? ` the parity is ${wrongAnswer(gold)}` : ` ${wrongAnswer(gold)}`, slippedAt: 0 };
  const line = gold.firstStep + slip;
  const bad = gold.lines[line].replace(/\d(?=\D*$)/, (d) => String((Number(d) + 1) % 10));
  const closing = gold.problem.op === 'parity' ? `the parity is ${wrongAnswer(gold)}` : `Thus the answer is ${wrongAnswer(gold)}.`;
  const lines = [...gold.lines.slice(0, line), bad, closing];
  return { body: (gold.problem.op === 'parity' ? ' ' : '\n') + lines.join('\n'), slippedAt: line };
}

const wrongAnswer = (gold: Trace) => (gold.problem.op === 'parity' ? String(1 - Number(gold.answer)) : String(BigInt(gold.answer) + 1n));

function executor(name: string, write: (prompt: string) => string): LocalLanguageModel {
  return localLanguageModel(
    { name, kind: 'builtin', identity: { executor: name }, contextLength: null, chat: false, logprobs: false },
    byteTokenizer,
    {
      tokenLogProbs: () => {
        throw new Error(`${name} only writes traces`);
      },
      generate: (prompt, g) => Array.from(byteTokenizer.encode(write(byteTokenizer.decode(prompt)))).slice(0, g.maxTokens),
    },
  );
}

export const oracleExecutor = (): LocalLanguageModel => executor('oracle', (prompt) => traceBody(lastQuestion(prompt).gold));
export const noisyExecutor = (epsilon: number, seed = 0): LocalLanguageModel => executor(`noisy-${epsilon}`, (prompt) => noisyBody(prompt, epsilon, seed).body);
