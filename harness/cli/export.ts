// `harness export --model <spec> --out <dir>`: writes a model a plugin ships (a Transformer of the
// shared LM stack) as an ONNX decoder folder in Hugging Face Optimum's layout, which `--model
// onnx:<dir>` and other ONNX Runtime loaders open.
import type { Command } from 'commander';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LanguageModel } from '../api/language-model.ts';
import type { BackendChoice } from '../backends/tensors.ts';
import { UserError } from '../errors.ts';
import { openModel } from '../models/open.ts';
import type { OnnxExportable } from '../models/sequence-model-lm.ts';
import { parseModelSpec } from '../models/spec.ts';
import { discover } from '../plan/registry.ts';
import { defaultCacheDir } from '../run/runner.ts';
import { backendOption, collect } from './options.ts';

export interface ExportCommandOptions {
  model: string;
  out: string;
  plugin: string[];
  backend: BackendChoice;
  force: boolean;
}

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a builtin Transformer LM as an ONNX decoder folder (model.onnx, config.json, tokenizer.json; Hugging Face Optimum layout)')
    .requiredOption('--model <spec>', 'the model to export, e.g. builtin:gemini-long-context/transformer-w256')
    .requiredOption('--out <dir>', 'folder to write (created if needed)')
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .addOption(backendOption())
    .option('--force', 'write into a folder that already holds files', false)
    .action(async (opts: ExportCommandOptions) => {
      const written = await exportCommand(opts, (m) => process.stderr.write(`${m}\n`));
      process.stdout.write(`${written.map((f) => `wrote ${f.path} (${formatBytes(f.bytes)})`).join('\n')}\n` + `open it with --model onnx:${resolve(opts.out)}\n`);
    });
}

/** Opens the model, writes the folder and returns the files in it with their sizes. */
export async function exportCommand(opts: ExportCommandOptions, log: (message: string) => void = () => {}): Promise<Array<{ path: string; bytes: number }>> {
  const out = resolve(opts.out);
  if (existsSync(out) && !statSync(out).isDirectory()) throw new UserError(`--out ${opts.out}: exists and is not a folder`);
  if (existsSync(out) && readdirSync(out).length && !opts.force) throw new UserError(`--out ${opts.out}: the folder is not empty`, ['pass --force to overwrite model.onnx, config.json, tokenizer.json and tokenizer_config.json there']);
  const spec = parseModelSpec(opts.model);
  if (spec.kind !== 'builtin') throw new UserError(`--model ${opts.model}: only builtin models can be exported (an ${spec.kind} model is not in this process)`);
  const model: LanguageModel & Partial<OnnxExportable> = await openModel(spec, { cacheDir: defaultCacheDir(), registry: discover({ pluginDirs: opts.plugin }), backend: opts.backend, log });
  try {
    if (typeof model.exportOnnx !== 'function') {
      throw new UserError(`--model ${opts.model}: this model cannot be exported to ONNX`, ['only Transformers of the shared LM stack (harness/nn/lm transformerLM wrapped by asLanguageModel) can be written as ONNX']);
    }
    await model.exportOnnx(out);
  } finally {
    await model.close();
  }
  return readdirSync(out)
    .sort()
    .map((name) => ({ path: join(out, name), bytes: statSync(join(out, name)).size }));
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
