// Kernels of the model adapters, benchmarked under the core id `models`: what the OpenAI-compatible
// HTTP path costs on loopback beside the same model called in-process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import type { LanguageModel } from '../api/language-model.ts';
import type { Kernel, KernelSize, SideBySide } from '../api/types.ts';
import { loadTensorBackend } from '../backends/tensors.ts';
import { byteTokenizer } from '../nn/lm/tokenizer.ts';
import { transformerLM } from '../nn/lm/transformer.ts';
import type { Tf } from '../nn/lm/tf.ts';
import { createRng } from '../plan/seeds.ts';
import { startServer } from '../serve/server.ts';
import { openOpenAIModel } from './openai/adapter.ts';
import { asLanguageModel } from './sequence-model-lm.ts';

interface HttpInput {
  local: LanguageModel;
  remote: LanguageModel;
  prompt: string;
  size: KernelSize;
  /** Every timed request samples with a new seed, so none is answered from the response cache. */
  seed: number;
}

const PROMPT = 'function add(a, b) { return a + b; }\n';

async function tinyByteLM(size: KernelSize): Promise<LanguageModel> {
  const tf = (await loadTensorBackend('auto')).tf as Tf;
  const model = transformerLM(tf, { vocabSize: 256, dModel: size.dModel, heads: 4, layers: size.layers, ffn: 4 * size.dModel, positional: 'rope', maxLength: 256 }, createRng(0));
  return asLanguageModel(tf, 'bench-lm', model, byteTokenizer);
}

const sampling = (size: KernelSize, seed: number) => ({ maxTokens: size.tokens, temperature: 1, seed });

const httpComplete: Kernel<HttpInput, string> = {
  sizes: [{ layers: 1, dModel: 32, tokens: 1 }, { layers: 2, dModel: 64, tokens: 8 }],
  async setup(size) {
    const local = await tinyByteLM(size);
    const server = await startServer(local, { servedName: 'bench-lm', unref: true });
    const remote = await openOpenAIModel(
      { kind: 'openai', name: 'bench-lm', baseUrl: server.url, model: 'bench-lm', concurrency: 1 },
      { cacheDir: mkdtempSync(join(tmpdir(), 'harness-bench-http-')) },
    );
    return { local, remote, prompt: PROMPT, size, seed: 0 };
  },
  async run(input) {
    const [completion] = await input.remote.complete(input.prompt, sampling(input.size, ++input.seed));
    return completion.text;
  },
  // The same request answered in-process: the text must be identical.
  async reference(input) {
    const [completion] = await input.local.complete(input.prompt, sampling(input.size, input.seed));
    return completion.text;
  },
  check: (actual, expected) => (actual === expected ? null : `HTTP text ${JSON.stringify(actual)} differs from in-process ${JSON.stringify(expected)}`),
  // Requests per second; the side-by-side column is the same completion called in-process, so
  // 1/ours − 1/theirs is the HTTP round trip's cost per request.
  async sideBySide(size) {
    const local = await tinyByteLM(size);
    let seed = 0;
    const bench = new Bench({ time: 1000, iterations: 20, warmup: true, warmupTime: 250, throws: false });
    bench.add('in-process', () => local.complete(PROMPT, sampling(size, ++seed)));
    const [task] = await bench.run();
    await local.close();
    const label = 'the same completion in-process';
    if (task.result.state !== 'completed') return { state: 'unavailable', label, reason: `tinybench state ${task.result.state}` } satisfies SideBySide;
    return { state: 'measured', label, itemsPerSecond: task.result.throughput.mean };
  },
};

export const modelKernels: Record<string, Kernel<any, any>> = { 'http-complete': httpComplete };
