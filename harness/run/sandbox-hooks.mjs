// Module hooks of a sandboxed unit child: TypeScript is transpiled in-process with the `typescript`
// package (pure JavaScript), because tsx's esbuild runs as a child process, which the sandbox forbids.
// Plain JavaScript: hooks run in a thread of their own.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const options = {
  module: ts.ModuleKind.ESNext,
  target: ts.ScriptTarget.ES2022,
  sourceMap: false,
  inlineSourceMap: true,
  inlineSources: false,
  verbatimModuleSyntax: false,
  isolatedModules: true,
  rewriteRelativeImportExtensions: false,
  allowImportingTsExtensions: true,
};

export async function load(url, context, nextLoad) {
  if (!/^file:.*\.(c|m)?tsx?$/.test(url)) return nextLoad(url, context);
  const file = fileURLToPath(url);
  const source = readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: options, fileName: file, reportDiagnostics: false });
  return { format: 'module', source: outputText, shortCircuit: true };
}
