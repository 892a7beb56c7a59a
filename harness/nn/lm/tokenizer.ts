// Tokenizers for the in-harness language models: UTF-8 bytes (vocab 256) for code/text corpora, and
// small character vocabularies (plus named special tokens) for synthetic tasks.

export interface Tokenizer {
  /** Stable identity, part of cache keys (e.g. "bytes", "chars:01 ;=>+<pad>,<eos>"). */
  readonly id: string;
  readonly vocabSize: number;
  encode(text: string): Int32Array;
  decode(ids: ArrayLike<number>): string;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/** UTF-8 bytes, vocabulary 256. decode() replaces invalid UTF-8 sequences with U+FFFD. */
export const byteTokenizer: Tokenizer = {
  id: 'bytes',
  vocabSize: 256,
  encode: (text) => Int32Array.from(utf8Encoder.encode(text)),
  decode: (ids) => {
    const bytes = new Uint8Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id > 255) throw new RangeError(`byte tokenizer: id ${id} at index ${i} is not a byte (expected an integer 0..255)`);
      bytes[i] = id;
    }
    return utf8Decoder.decode(bytes);
  },
};

/** A character-level tokenizer; `tokens[id]` is the text of each id. */
export interface CharTokenizer extends Tokenizer {
  readonly tokens: readonly string[];
}

/**
 * A character-level tokenizer: ids 0..n−1 are the alphabet's characters (Unicode code points, in
 * order), then ids for the `extra` special tokens such as "<pad>", "<eos>", "<sep>". encode() reads
 * special tokens written literally in the text first (longest match), then single characters; an
 * unknown character throws an error naming it. Use `tokenId(tokenizer, '<pad>')` to look an id up.
 */
export function charTokenizer(alphabet: string, extra: string[] = []): CharTokenizer {
  const chars = Array.from(alphabet);
  const tokens = [...chars, ...extra];
  const index = new Map<string, number>();
  tokens.forEach((token, id) => {
    if (token.length === 0) throw new RangeError('charTokenizer: special tokens must be non-empty strings');
    if (index.has(token)) throw new RangeError(`charTokenizer: token ${JSON.stringify(token)} appears twice (alphabet characters and special tokens must be unique)`);
    index.set(token, id);
  });
  // Longest special tokens first so that "<eos>" wins over a shorter "<e" when both exist.
  const specials = extra.map((token, i) => ({ token, id: chars.length + i })).sort((a, b) => b.token.length - a.token.length);
  return {
    id: `chars:${alphabet}${extra.length ? `+${extra.join(',')}` : ''}`,
    vocabSize: tokens.length,
    tokens,
    encode(text) {
      const ids: number[] = [];
      let i = 0;
      outer: while (i < text.length) {
        for (const special of specials) {
          if (text.startsWith(special.token, i)) {
            ids.push(special.id);
            i += special.token.length;
            continue outer;
          }
        }
        const char = String.fromCodePoint(text.codePointAt(i)!);
        const id = index.get(char);
        if (id === undefined || id >= chars.length) {
          throw new RangeError(`charTokenizer: character ${JSON.stringify(char)} at offset ${i} is not in the alphabet ${JSON.stringify(alphabet)}`);
        }
        ids.push(id);
        i += char.length;
      }
      return Int32Array.from(ids);
    },
    decode(ids) {
      let text = '';
      for (let i = 0; i < ids.length; i++) {
        const token = tokens[ids[i]];
        if (token === undefined) throw new RangeError(`charTokenizer: id ${ids[i]} at index ${i} is outside the vocabulary 0..${tokens.length - 1}`);
        text += token;
      }
      return text;
    },
  };
}

/** The id of one token (a character or a special token) of a charTokenizer; throws if absent. */
export function tokenId(tokenizer: CharTokenizer, token: string): number {
  const id = tokenizer.tokens.indexOf(token);
  if (id < 0) throw new RangeError(`tokenizer ${tokenizer.id} has no token ${JSON.stringify(token)}`);
  return id;
}
