// The legacy completions `logprobs` block: the chosen tokens with ln p(token | everything before it),
// read from the model's own tokenLogProbs so that served and in-process scores agree exactly.
import type { Completion, LanguageModel } from '../api/language-model.ts';

export interface LogprobsBlock {
  tokens: string[];
  /** null for the very first token of the sequence, which nothing conditions. */
  token_logprobs: Array<number | null>;
  /** Offset of each token's text in the choice's text. */
  text_offset: number[];
  /** The model reports no alternatives. */
  top_logprobs: null;
}

/**
 * The token ids behind a completion's text: the model's own ids when they spell the text, the
 * longest prefix of them that does when a stop string cut the text, else the text re-tokenized.
 */
export async function generatedIds(model: LanguageModel, completion: Completion): Promise<number[]> {
  const tokens = completion.tokens;
  if (tokens) {
    for (let k = tokens.length; k >= 0; k--) {
      if ((await model.detokenize(tokens.slice(0, k))) === completion.text) return Array.from(tokens.slice(0, k));
    }
  }
  return Array.from(await model.tokenize(completion.text));
}

/**
 * Scores prompt + generated in one tokenLogProbs call. With `echo` the prompt's tokens come first
 * (the first one has no log-prob); without it only the generated tokens are listed.
 */
export async function choiceLogprobs(model: LanguageModel, promptIds: readonly number[], generated: readonly number[], echo: boolean, tokenIdsAsStrings: boolean): Promise<LogprobsBlock> {
  const all = [...promptIds, ...generated];
  const first = echo ? 0 : promptIds.length;
  const shown = all.slice(first);
  const scores = shown.length && all.length > 1 ? await model.tokenLogProbs(all) : new Float64Array(0);
  const texts = await Promise.all(shown.map((id) => model.detokenize([id])));
  const offsets: number[] = [];
  let offset = 0;
  for (const text of texts) {
    offsets.push(offset);
    offset += text.length;
  }
  return {
    tokens: tokenIdsAsStrings ? shown.map((id) => `token_id:${id}`) : texts,
    token_logprobs: shown.map((_, j) => (first + j === 0 ? null : scores[first + j - 1])),
    text_offset: offsets,
    top_logprobs: null,
  };
}
