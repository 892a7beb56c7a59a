// Examples → padded training batches with loss masks (answer and scratchpad tokens only).
import { charTokenizer, tokenId, type CharTokenizer, type LMBatch } from '../../harness/nn/lm/index.ts';
import { EOS, PAD, targetText, type Example } from './examples.ts';

export interface Vocabulary {
  tokenizer: CharTokenizer;
  eos: number;
  pad: number;
}

export function vocabulary(alphabet: string): Vocabulary {
  const tokenizer = charTokenizer(alphabet, [EOS, PAD]);
  return { tokenizer, eos: tokenId(tokenizer, EOS), pad: tokenId(tokenizer, PAD) };
}

/** Prompt ids and target ids (target ends with EOS). */
export function encodeExample(vocab: Vocabulary, ex: Example): { prompt: Int32Array; target: Int32Array } {
  const prompt = vocab.tokenizer.encode(ex.prompt);
  const body = vocab.tokenizer.encode(targetText(ex));
  const target = new Int32Array(body.length + 1);
  target.set(body);
  target[body.length] = vocab.eos;
  return { prompt, target };
}

/**
 * One batch: each row is prompt + target, right-padded with PAD to the longest row (so causal
 * attention never lets padding reach a real token); the mask is 1 exactly on the targets that are
 * target tokens (scratchpad, answer, EOS) and 0 on prompt and padding.
 */
export function makeBatch(vocab: Vocabulary, examples: readonly Example[]): LMBatch {
  const rows = examples.map((ex) => encodeExample(vocab, ex));
  const length = Math.max(...rows.map((r) => r.prompt.length + r.target.length)) - 1;
  const B = rows.length;
  const ids = new Int32Array(B * (length + 1)).fill(vocab.pad);
  const lossMask = new Float32Array(B * length);
  rows.forEach((r, b) => {
    ids.set(r.prompt, b * (length + 1));
    ids.set(r.target, b * (length + 1) + r.prompt.length);
    // target at input position t is ids[t + 1]; the target tokens sit at prompt.length … end − 1
    for (let t = r.prompt.length - 1; t < r.prompt.length - 1 + r.target.length; t++) lossMask[b * length + t] = 1;
  });
  return { ids, batch: B, length, lossMask };
}
