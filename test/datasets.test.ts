// Datasets: found under HARNESS_DATA_DIR, verified by sha256, explained when missing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DatasetDeclaration } from '../harness/api/manifest.ts';
import { DatasetMissingError, UserError } from '../harness/errors.ts';
import { locateDataset } from '../harness/run/datasets.ts';
import { tempDir } from './helpers.ts';

function declaration(content: string): DatasetDeclaration {
  return {
    id: 'tiny',
    title: 'A tiny dataset',
    source: 'test',
    licence: 'CC0',
    obtain: 'Write tiny/values.txt.',
    files: [{ path: 'values.txt', sha256: createHash('sha256').update(content).digest('hex') }],
  };
}

test('a dataset is found under $HARNESS_DATA_DIR/<id>/ when its checksums match', () => {
  const root = tempDir();
  mkdirSync(join(root, 'tiny'));
  writeFileSync(join(root, 'tiny', 'values.txt'), '1 2 3\n');
  process.env.HARNESS_DATA_DIR = root;
  assert.equal(locateDataset(declaration('1 2 3\n')), join(root, 'tiny'));
});

test('a modified file is refused with both checksums', () => {
  const root = tempDir();
  mkdirSync(join(root, 'tiny'));
  writeFileSync(join(root, 'tiny', 'values.txt'), '1 2 4\n');
  process.env.HARNESS_DATA_DIR = root;
  assert.throws(() => locateDataset(declaration('1 2 3\n')), (error: unknown) => error instanceof UserError && /values\.txt has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}/.test(error.message));
});

test('a missing dataset says where it looked and how to obtain it', () => {
  process.env.HARNESS_DATA_DIR = tempDir();
  assert.throws(() => locateDataset(declaration('x')), (error: unknown) => error instanceof DatasetMissingError && /dataset "tiny" not found \(looked in .*tiny.*\)\. Write tiny\/values\.txt\./.test(error.message));
});
