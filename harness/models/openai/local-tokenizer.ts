// A Hugging Face tokenizer.json read on this machine, for servers without /tokenize: encode without
// special tokens, decode keeping them (the exact inverse of what the server would report).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256 } from '../../plan/canonical.ts';
import { UserError } from '../../errors.ts';

export interface LocalTokenizer {
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** The tokenizer.json a `?tokenizer=` option names (a file, or a folder holding tokenizer.json). */
export function tokenizerJsonFile(path: string): string {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'tokenizer.json');
  } catch {
    throw new UserError(`tokenizer ${path}: no such file or folder`);
  }
  if (!existsSync(file)) throw new UserError(`tokenizer ${path}: the folder holds no tokenizer.json`);
  return file;
}

/** sha256 of the tokenizer.json bytes: part of the model's identity. */
export function tokenizerSha256(path: string): string {
  return sha256(readFileSync(tokenizerJsonFile(path)));
}

export async function loadLocalTokenizer(path: string): Promise<LocalTokenizer> {
  const file = tokenizerJsonFile(path);
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const readJson = (f: string): object => {
    try {
      return JSON.parse(readFileSync(f, 'utf8')) as object;
    } catch (error) {
      throw new UserError(`tokenizer ${f}: not valid JSON (${(error as Error).message.split('\n')[0]})`);
    }
  };
  const configFile = join(dirname(file), 'tokenizer_config.json');
  const tokenizer = new Tokenizer(readJson(file), existsSync(configFile) ? readJson(configFile) : {});
  return {
    encode: (text) => {
      const { ids, tokens } = tokenizer.encode(text, { add_special_tokens: false });
      const missing = ids.findIndex((id: number) => !Number.isInteger(id));
      if (missing >= 0) throw new UserError(`tokenizer ${file}: no id for token ${JSON.stringify(tokens[missing])} (and no usable unknown token)`);
      return ids;
    },
    decode: (ids) => tokenizer.decode([...ids], { skip_special_tokens: false }),
  };
}
