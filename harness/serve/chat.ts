// POST /v1/chat/completions: the model's own chat when it has one, else a completion of the plain
// chat prompt (`Role: content` lines ending in `Assistant:`).
import { plainChatPrompt } from '../models/local.ts';
import { checkModelName, type ServeContext } from './context.ts';
import { responseId, usage, type Usage } from './completions.ts';
import { generatedIds } from './logprobs.ts';
import { parseChatRequest } from './validate.ts';

export interface ChatCompletionResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: { role: 'assistant'; content: string }; finish_reason: 'stop' | 'length' }>;
  usage: Usage;
}

export async function createChatCompletion(ctx: ServeContext, raw: unknown): Promise<ChatCompletionResponse> {
  const request = parseChatRequest(raw);
  checkModelName(ctx, request.model);
  const { model } = ctx;
  const prompt = plainChatPrompt(request.messages);
  const completions = model.chat ? await model.chat(request.messages, request.sampling) : await model.complete(prompt, request.sampling);
  // A model with its own chat template counts its prompt differently; this is the plain prompt's count.
  const promptTokens = (await model.tokenize(prompt)).length;
  let completionTokens = 0;
  for (const completion of completions) completionTokens += (await generatedIds(model, completion)).length;
  return {
    id: responseId('chatcmpl'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: ctx.servedName,
    choices: completions.map((c, index) => ({ index, message: { role: 'assistant', content: c.text }, finish_reason: c.finishReason })),
    usage: usage(promptTokens, completionTokens),
  };
}
