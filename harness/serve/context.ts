// What every handler of one server shares: the model, the name it is served under, and when it started.
import type { LanguageModel } from '../api/language-model.ts';
import { ApiError } from './api-error.ts';

export interface ServeContext {
  readonly model: LanguageModel;
  readonly servedName: string;
  /** Server start, in seconds since the epoch (the `created` of /v1/models). */
  readonly created: number;
  /** Size of the tokenizer's vocabulary when the model exposes it (local models do), to check token ids. */
  readonly vocabSize: number | undefined;
}

export function createContext(model: LanguageModel, servedName: string): ServeContext {
  const vocabSize = (model as { tokenizer?: { vocabSize?: unknown } }).tokenizer?.vocabSize;
  return { model, servedName, created: Math.floor(Date.now() / 1000), vocabSize: typeof vocabSize === 'number' ? vocabSize : undefined };
}

/** A request naming another model gets OpenAI's 404, listing what is served. */
export function checkModelName(ctx: ServeContext, name: string | undefined): void {
  if (name === undefined || name === ctx.servedName) return;
  throw new ApiError(404, `model ${JSON.stringify(name)} is not served here; served models: ${ctx.servedName}`, 'model', 'invalid_request_error', 'model_not_found');
}
