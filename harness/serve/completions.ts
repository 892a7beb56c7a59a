// POST /v1/completions: one prompt (text or token ids), n choices from model.complete, optionally the
// prompt echoed and the chosen tokens' log-probs (echo + max_tokens 0 scores a text).
import type { Completion, SamplingOptions } from '../api/language-model.ts';
import { badRequest } from './api-error.ts';
import { checkModelName, type ServeContext } from './context.ts';
import { choiceLogprobs, generatedIds, type LogprobsBlock } from './logprobs.ts';
import { parseCompletionRequest } from './validate.ts';
import { randomBytes } from 'node:crypto';

export interface CompletionResponse {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: Array<{ index: number; text: string; finish_reason: 'stop' | 'length'; logprobs: LogprobsBlock | null }>;
  usage: Usage;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export async function createCompletion(ctx: ServeContext, raw: unknown): Promise<CompletionResponse> {
  const request = parseCompletionRequest(raw, ctx.vocabSize);
  checkModelName(ctx, request.model);
  const { model } = ctx;
  if (request.logprobs !== null && !model.descriptor.logprobs) throw badRequest('logprobs', `logprobs: model ${ctx.servedName} does not report log-probabilities; leave logprobs out`);
  const promptIds = 'ids' in request.prompt ? request.prompt.ids : Array.from(await model.tokenize(request.prompt.text));
  if (!promptIds.length) throw badRequest('prompt', 'prompt: expected at least one token, got an empty prompt');
  const completions = await generate(ctx, promptIds, request.sampling);
  const echoed = !request.echo ? '' : 'text' in request.prompt ? request.prompt.text : await model.detokenize(promptIds);
  let completionTokens = 0;
  const choices: CompletionResponse['choices'] = [];
  for (const [index, completion] of completions.entries()) {
    const generated = await generatedIds(model, completion);
    completionTokens += generated.length;
    const logprobs = request.logprobs === null ? null : await choiceLogprobs(model, promptIds, generated, request.echo, request.tokenIdsAsStrings);
    choices.push({ index, text: echoed + completion.text, finish_reason: completion.finishReason, logprobs });
  }
  return {
    id: responseId('cmpl'),
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: ctx.servedName,
    choices,
    usage: usage(promptIds.length, completionTokens),
  };
}

/** max_tokens 0 asks for nothing new (scoring with echo): the model is not called. */
async function generate(ctx: ServeContext, promptIds: number[], sampling: SamplingOptions): Promise<Completion[]> {
  if (sampling.maxTokens === 0) return Array.from({ length: sampling.n ?? 1 }, () => ({ text: '', tokens: [], finishReason: 'length' as const }));
  return ctx.model.complete(promptIds, sampling);
}

export function usage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}

export function responseId(prefix: string): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}
