// A RunContext for tests and measurement scripts: seeded rng, an in-memory artifact cache, the wasm
// tensor backend (what `harness run` picks on a machine without native TensorFlow).
import type { BudgetName, Json, RunContext } from '../../../harness/api/index.ts';
import { createRng } from '../../../harness/api/index.ts';
import { loadTensorBackend } from '../../../harness/backends/tensors.ts';

export function testContext(budget: BudgetName, seed = 0, log: (msg: string) => void = () => {}): RunContext & { cacheKeys: () => string[] } {
  const json = new Map<string, Json>();
  const bytes = new Map<string, Uint8Array>();
  const ctx = {
    rng: createRng(seed),
    seedIndex: 0,
    budget,
    signal: new AbortController().signal,
    log: { info: log, warn: log, debug: () => {} },
    progress: () => {},
    cache: {
      async json<T extends Json>(key: string, compute: () => Promise<T> | T): Promise<T> {
        if (!json.has(key)) json.set(key, JSON.parse(JSON.stringify(await compute())) as Json);
        return JSON.parse(JSON.stringify(json.get(key))) as T;
      },
      async bytes(key: string, compute: () => Promise<Uint8Array> | Uint8Array): Promise<Uint8Array> {
        if (!bytes.has(key)) bytes.set(key, await compute());
        return bytes.get(key)!;
      },
    },
    dataset: async () => {
      throw new Error('no datasets');
    },
    tensors: () => loadTensorBackend('wasm'),
    cacheKeys: () => [...json.keys(), ...bytes.keys()],
  };
  return ctx as unknown as RunContext & { cacheKeys: () => string[] };
}
