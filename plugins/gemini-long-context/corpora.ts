// Haystacks and long documents from offline corpora.
//   prose: the Markdown prose of node_modules (datasets/prose-corpus.ts), files in a seeded order,
//          repeated when a haystack needs more (as Kamradt repeats the essays);
//   code:  the TypeScript compiler bundle typescript@5.9.3 lib/typescript.js split back into its 267
//          source files at its "// src/…" markers, files shuffled per seed and concatenated — the
//          paper's recipe for code documents (§5.2.1.1: shuffle all files of a repository, concatenate);
//   code-held-out: the same recipe over only the source files that lie wholly in the bundle's last 10 %
//          (datasets/code-corpus.ts's valid and test splits), which transformer-w256 never saw in training.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Rng } from '../../harness/api/index.ts';
import { DatasetMissingError } from '../../harness/api/index.ts';
import { loadProseCorpus } from '../../datasets/prose-corpus.ts';
import { splitPoints } from '../../datasets/code-corpus.ts';

export type CorpusName = 'prose' | 'code' | 'code-held-out';
export const CORPORA: readonly CorpusName[] = ['prose', 'code', 'code-held-out'];

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
let preambleBytes = 0;

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
  preambleBytes = Buffer.byteLength(text.slice(0, starts[0]));
  return tsFiles;
}

/** The source files that start at or after the end of the code corpus's training split (byte offsets). */
export function heldOutSourceFiles(): string[] {
  const files = typescriptSourceFiles();
  const total = files.reduce((n, f) => n + Buffer.byteLength(f), 0);
  const [trainEnd] = splitPoints(total + bundlePreambleBytes());
  const held: string[] = [];
  let offset = bundlePreambleBytes();
  for (const f of files) {
    if (offset >= trainEnd) held.push(f);
    offset += Buffer.byteLength(f);
  }
  return held;
}

/** Bytes of the bundle before its first "// src/" marker. */
function bundlePreambleBytes(): number {
  typescriptSourceFiles();
  return preambleBytes;
}

/** The code "repository" document: source files shuffled by `rng`, concatenated, cut at `maxChars`. */
export function codeDocument(rng: Rng, maxChars: number, sources: readonly string[] = typescriptSourceFiles()): string {
  const files = rng.shuffle([...sources]);
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
  if (corpus === 'code-held-out') return codeDocument(rng, maxChars, heldOutSourceFiles());
  const docs = rng.shuffle(loadProseCorpus().documents.map((d) => d.text));
  return docs.join('\n\n').slice(0, maxChars);
}
