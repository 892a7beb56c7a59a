// The BPE tokenizer of the PPM model: cl100k_base from gpt-tokenizer (ranks ship in the package, fully
// offline). Text is always encoded WITHOUT special tokens: "<|endoftext|>" in a haystack is plain text
// (a BOS or special id would garble a needle after decode/re-encode, KVCache-Factory #62).
import type { Tokenizer } from '../../harness/nn/lm/tokenizer.ts';

/** Ordinary cl100k ranks are 0..100255; the special tokens above them are never produced. */
export const CL100K_ORDINARY = 100_256;

let cl100k: Tokenizer | undefined;

export async function cl100kTokenizer(): Promise<Tokenizer> {
  if (cl100k) return cl100k;
  const bpe = await import('gpt-tokenizer/encoding/cl100k_base');
  const noSpecial = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };
  cl100k = {
    id: 'cl100k_base',
    vocabSize: CL100K_ORDINARY,
    encode: (text: string) => Int32Array.from(bpe.encode(text, noSpecial)),
    decode: (ids: ArrayLike<number>) => bpe.decode(Array.from(ids)),
  };
  return cl100k;
}

/** Memoized "does this token end a sentence" for a tokenizer (decodes each id once). */
export function sentenceBoundaryTest(tokenizer: Tokenizer, endsSentence: (text: string) => boolean): (token: number) => boolean {
  const memo = new Map<number, boolean>();
  return (token) => {
    let b = memo.get(token);
    if (b === undefined) {
      b = endsSentence(tokenizer.decode([token]));
      memo.set(token, b);
    }
    return b;
  };
}
