// An offline English prose corpus: the Markdown documentation that ships inside node_modules (package
// READMEs, guides), cleaned to running text. Deterministic for a given node_modules tree: files are
// found by a sorted walk, fenced code blocks, HTML tags, tables, badges and link targets are removed,
// changelogs and licences are skipped, and repeated paragraphs (boilerplate shared by many packages)
// are kept only at their first occurrence. Each package's licence applies to its own text; the corpus
// is used for evaluation haystacks only, never redistributed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatasetMissingError } from '../harness/api/index.ts';

export interface ProseDocument {
  /** Path relative to the node_modules folder, e.g. "yaml/README.md". */
  path: string;
  text: string;
}

export interface ProseCorpus {
  documents: ProseDocument[];
  /** Total characters of all documents. */
  chars: number;
  /** sha256 (hex) over the documents' paths and texts: identifies the corpus in cache keys. */
  sha256: string;
  source: string;
}

const SKIP_NAME = /^(changelog|changes|history|license|licence|notice|security|code_of_conduct|contributing)/i;
/** A paragraph must have this many letters to count as prose. */
const MIN_PARAGRAPH_LETTERS = 40;

function markdownFiles(dir: string, out: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    let stat;
    try {
      stat = statSync(path);
    } catch {
      continue;
    }
    if (stat.isDirectory()) markdownFiles(path, out);
    else if (stat.isFile() && name.toLowerCase().endsWith('.md') && !SKIP_NAME.test(name)) out.push(path);
  }
}

/** Markdown → paragraphs of running text (pure; exported for tests). */
export function markdownToParagraphs(markdown: string): string[] {
  const text = markdown
    .replace(/\r\n?/g, '\n')
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '\n') // fenced code blocks
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>\n]+>/g, ' ') // HTML tags
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ') // images and badges
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // links → their text
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/`([^`\n]*)`/g, '$1');
  const paragraphs: string[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => !/^\s*(\||[-=*_]{3,}\s*$|\[[^\]]+\]:|#)/.test(l) && !/^( {4}|\t)/.test(l));
    const para = lines
      .map((l) => l.replace(/^\s*([-*+]|\d+\.)\s+/, '').replace(/[*_]{1,3}([^*_\n]+)[*_]{1,3}/g, '$1').trim())
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
    if ((para.match(/[A-Za-z]/g)?.length ?? 0) >= MIN_PARAGRAPH_LETTERS) paragraphs.push(para);
  }
  return paragraphs;
}

let cached: { root: string; corpus: ProseCorpus } | undefined;

/**
 * Loads the corpus from `nodeModules` (default: ./node_modules of the working directory); cached
 * per process. Throws a DatasetMissingError when the folder holds no Markdown prose.
 */
export function loadProseCorpus(nodeModules = join(process.cwd(), 'node_modules')): ProseCorpus {
  if (cached?.root === nodeModules) return cached.corpus;
  const files: string[] = [];
  markdownFiles(nodeModules, files);
  const seen = new Set<string>();
  const documents: ProseDocument[] = [];
  const hash = createHash('sha256');
  let chars = 0;
  for (const file of files) {
    const kept = markdownToParagraphs(readFileSync(file, 'utf8')).filter((p) => {
      if (seen.has(p)) return false;
      seen.add(p);
      return true;
    });
    if (kept.length === 0) continue;
    const doc = { path: relative(nodeModules, file), text: kept.join('\n\n') };
    documents.push(doc);
    hash.update(doc.path).update('\0').update(doc.text).update('\0');
    chars += doc.text.length;
  }
  if (documents.length === 0) {
    throw new DatasetMissingError(`no Markdown prose found under ${nodeModules}: run \`npm ci\` in the harness folder first`);
  }
  const corpus = { documents, chars, sha256: hash.digest('hex'), source: `node_modules/**/*.md (${documents.length} files, package licences)` };
  cached = { root: nodeModules, corpus };
  return corpus;
}
