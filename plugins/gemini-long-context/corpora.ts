// Haystacks and long documents from offline corpora.
//   prose: the Markdown prose of node_modules (datasets/prose-corpus.ts), files in a seeded order,
//          repeated when a haystack needs more (as Kamradt repeats the essays);
//   code:  the TypeScript compiler bundle typescript@5.9.3 lib/typescript.js split back into its 267
//          source files at its "// src/…" markers, files shuffled per seed and concatenated — the
//          paper's recipe for code documents (§5.2.1.1: shuffle all files of a repository, concatenate).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Rng } from '../../harness/api/index.ts';
import { DatasetMissingError } from '../../harness/api/index.ts';
import { loadProseCorpus } from '../../datasets/prose-corpus.ts';

export type CorpusName = 'prose' | 'code';
export const CORPORA: readonly CorpusName[] = ['prose', 'code'];

/** Prose files in a seeded order, joined by blank lines and repeated until ≥ `minChars` characters. */
export function proseHaystack(rng: Rng, minChars: number): string {
  const docs = rng.shuffle(loadProseCorpus().documents.map((d) => d.text));
  const parts: string[] = [];
  let chars = 0;
  for (let i = 0; chars < minChars; i = (i + 1) % docs.length) {
    parts.push(docs[i]);
    chars += docs[i].length + 2;
  }
  return parts.join('\n\n');
}

let tsFiles: string[] | undefined;

/** The TypeScript bundle's source files, in bundle order (read once per process). */
export function typescriptSourceFiles(): string[] {
  if (tsFiles) return tsFiles;
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve('typescript/lib/typescript.js');
  } catch {
    throw new DatasetMissingError('the code corpus needs the npm package typescript@5.9.3 (lib/typescript.js): run `npm ci`');
  }
  const text = readFileSync(path, 'utf8');
  const starts: number[] = [];
  const marker = /^\/\/ src\//gm;
  for (let m = marker.exec(text); m; m = marker.exec(text)) starts.push(m.index);
  if (starts.length < 10) throw new DatasetMissingError(`${path} is not the typescript@5.9.3 bundle (found ${starts.length} "// src/" markers)`);
  tsFiles = starts.map((s, i) => text.slice(s, starts[i + 1] ?? text.length));
  return tsFiles;
}

/** The code "repository" document: source files shuffled by `rng`, concatenated, cut at `maxChars`. */
export function codeDocument(rng: Rng, maxChars: number): string {
  const files = rng.shuffle([...typescriptSourceFiles()]);
  let out = '';
  for (const f of files) {
    if (out.length >= maxChars) break;
    out += f;
  }
  return out.slice(0, maxChars);
}

/** A long document of the named corpus (prose: the shuffled files, not repeated). */
export function longDocument(corpus: CorpusName, rng: Rng, maxChars: number): string {
  if (corpus === 'code') return codeDocument(rng, maxChars);
  const docs = rng.shuffle(loadProseCorpus().documents.map((d) => d.text));
  return docs.join('\n\n').slice(0, maxChars);
}
