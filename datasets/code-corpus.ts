// A real code corpus for byte-level language models: the TypeScript compiler's JavaScript,
// `typescript@5.9.3` lib/typescript.js (9,112,572 bytes, Apache-2.0), installed as a dependency.
// The version is pinned: typescript 7.x is a native build without the JS compiler sources. The file
// is split contiguously 90 / 5 / 5 % (train / valid / test) at byte offsets, so no window of the
// validation or test part was seen in training.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Rng } from '../harness/api/index.ts';
import { DatasetMissingError, UserError } from '../harness/errors.ts';

export const CODE_CORPUS_VERSION = '5.9.3';
export const CODE_CORPUS_SHA256 = '3ae902c92cc44dace175c0e69e13a4b0899f6983c6121d76b9ab8dd5795e7675';

export interface CodeCorpus {
  train: Uint8Array;
  valid: Uint8Array;
  test: Uint8Array;
  /** sha256 (hex) of the whole file: identifies the corpus in cache keys. */
  sha256: string;
  /** Where the bytes came from, e.g. "typescript@5.9.3 lib/typescript.js (Apache-2.0)". */
  source: string;
}

/**
 * Reads and checks the corpus (version and sha256; read once per process, then shared). Throws a
 * DatasetMissingError when the package is absent and a UserError when it is another version or the
 * file was modified. The parts are views into one buffer: do not write to them.
 */
export function loadCodeCorpus(): CodeCorpus {
  loaded ??= readCorpus();
  return loaded;
}

let loaded: CodeCorpus | undefined;

function readCorpus(): CodeCorpus {
  const require = createRequire(import.meta.url);
  let packageFile: string;
  try {
    packageFile = require.resolve('typescript/package.json');
  } catch {
    throw new DatasetMissingError(`code corpus: the typescript@${CODE_CORPUS_VERSION} package is not installed (run npm ci in the harness folder)`);
  }
  const version = (JSON.parse(readFileSync(packageFile, 'utf8')) as { version?: string }).version;
  if (version !== CODE_CORPUS_VERSION) {
    throw new UserError(`code corpus: found typescript@${version} at ${dirname(packageFile)}, expected exactly ${CODE_CORPUS_VERSION} (7.x has no JavaScript compiler sources)`);
  }
  const file = join(dirname(packageFile), 'lib', 'typescript.js');
  const bytes = new Uint8Array(readFileSync(file));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== CODE_CORPUS_SHA256) {
    throw new UserError(`code corpus: ${file} has sha256 ${sha256}, expected ${CODE_CORPUS_SHA256}; the file is modified`);
  }
  const [trainEnd, validEnd] = splitPoints(bytes.length);
  return {
    train: bytes.subarray(0, trainEnd),
    valid: bytes.subarray(trainEnd, validEnd),
    test: bytes.subarray(validEnd),
    sha256,
    source: `typescript@${CODE_CORPUS_VERSION} lib/typescript.js (Apache-2.0)`,
  };
}

/** Byte offsets where valid and test start: ⌊0.90·n⌋ and ⌊0.95·n⌋. */
export function splitPoints(n: number): [number, number] {
  return [Math.floor(n * 0.9), Math.floor(n * 0.95)];
}

/**
 * `batch` windows of length+1 contiguous tokens at uniformly random starts (rng.int), row-major
 * batch × (length+1): inputs are [:, 0..length−1], next-token targets [:, 1..length]. Same rng
 * state → same windows.
 */
export function sampleWindows(data: ArrayLike<number>, batch: number, length: number, rng: Rng): Int32Array {
  if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`sampleWindows: batch must be a positive integer, got ${batch}`);
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`sampleWindows: length must be a positive integer, got ${length}`);
  const starts = data.length - length; // valid starts 0..data.length − (length + 1)
  if (starts < 1) throw new RangeError(`sampleWindows: windows of ${length + 1} tokens do not fit in ${data.length} tokens`);
  const out = new Int32Array(batch * (length + 1));
  for (let b = 0; b < batch; b++) {
    const start = rng.int(starts);
    for (let i = 0; i <= length; i++) out[b * (length + 1) + i] = data[start + i];
  }
  return out;
}
