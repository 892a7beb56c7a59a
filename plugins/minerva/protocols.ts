// What a model does on a set of problems, for any LanguageModel (in-box, ONNX, HTTP): the few-shot
// prompt of the problem's format, one greedy completion (pass@1) and k nucleus samples at the
// paper's settings (T = 0.6, top-p 0.95; maj1@k, pass@k), stopping where the model starts the next
// problem. The raw texts come back; scoring.ts extracts and grades them.
import type { LanguageModel } from '../../harness/api/index.ts';
import { GSM8K_STOP, gsm8kPrompt } from './gsm8k.ts';
import type { EvalProblem } from './problems-file.ts';
import { mathPrompt, STOP_SEQUENCE } from './prompt.ts';

/** Minerva's sampling settings for majority voting (§3, "nucleus sampling with T = 0.6, p = 0.95"). */
export const SAMPLING = { temperature: 0.6, topP: 0.95 } as const;

export interface EvalInstance {
  problems: EvalProblem[];
  /** Samples per problem for maj1@k / pass@k (0 = greedy only). */
  samples: number;
  /** Only the first `sampledProblems` problems get samples (sampling costs k× greedy); the rest greedy only. */
  sampledProblems: number;
  /** Generation limit per completion, in the model's tokens. */
  maxTokens: number;
  /** Seed of problem i's samples: seeds[i] (drawn in prepare, so every model gets the same seeds). */
  seeds: number[];
  /** sha256 of the user's file, or null for the generated set. */
  fileSha256: string | null;
}

export interface ProblemOutput {
  greedy: string;
  samples: string[];
}

export interface EvalOutput {
  outputs: ProblemOutput[];
}

export function promptFor(p: EvalProblem): { prompt: string; stop: string[] } {
  return p.format === 'gsm8k' ? { prompt: gsm8kPrompt(p.problem), stop: [GSM8K_STOP] } : { prompt: mathPrompt(p.problem), stop: [STOP_SEQUENCE] };
}

/** Prompts built once per problem; requests for all problems go out together (adapters bound their concurrency). */
export async function runEvaluation(lm: LanguageModel, inst: EvalInstance, onProblem?: (done: number) => void): Promise<EvalOutput> {
  let done = 0;
  const outputs = await Promise.all(
    inst.problems.map(async (p, i) => {
      const { prompt, stop } = promptFor(p);
      const [greedy] = await lm.complete(prompt, { maxTokens: inst.maxTokens, temperature: 0, stop });
      const samples = inst.samples > 0 && i < inst.sampledProblems
        ? await lm.complete(prompt, { maxTokens: inst.maxTokens, ...SAMPLING, n: inst.samples, seed: inst.seeds[i], stop })
        : [];
      onProblem?.(++done);
      return { greedy: greedy.text, samples: samples.map((s) => s.text) };
    }),
  );
  return { outputs };
}
