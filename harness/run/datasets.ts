// Offline dataset resolution: `$HARNESS_DATA_DIR/<id>/` (or `<harness>/data/<id>/`), checked by sha256.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetDeclaration } from '../api/manifest.ts';
import { DatasetMissingError, UserError } from '../errors.ts';
import { HARNESS_ROOT, type PluginRecord } from '../plan/registry.ts';

const verified = new Map<string, string>();

export function dataSearchDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.HARNESS_DATA_DIR) dirs.push(resolve(process.env.HARNESS_DATA_DIR));
  dirs.push(join(HARNESS_ROOT, 'data'));
  return dirs;
}

/** The folder holding a declared dataset, after checking every file's sha256. */
export async function resolveDataset(record: PluginRecord, id: string): Promise<string> {
  const declaration = (record.manifest.datasets ?? []).find((d) => d.id === id);
  if (!declaration) throw new UserError(`plugin "${record.manifest.id}" uses dataset "${id}" but does not declare it in ${record.manifestFile}`);
  return locateDataset(declaration);
}

export function locateDataset(declaration: DatasetDeclaration): string {
  const dirs = dataSearchDirs().map((d) => join(d, declaration.id));
  const dir = dirs.find((d) => declaration.files.every((f) => existsSync(join(d, f.path))));
  if (!dir) {
    throw new DatasetMissingError(
      `dataset "${declaration.id}" not found (looked in ${dirs.join(', ')}; set HARNESS_DATA_DIR). ${declaration.obtain}`,
    );
  }
  for (const file of declaration.files) {
    const path = join(dir, file.path);
    const stamp = `${path}:${statSync(path).size}:${statSync(path).mtimeMs}`;
    if (verified.get(stamp) === file.sha256) continue;
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (actual !== file.sha256) {
      throw new UserError(`dataset "${declaration.id}": ${path} has sha256 ${actual}, expected ${file.sha256}; the file is modified or a different version`);
    }
    verified.set(stamp, file.sha256);
  }
  return dir;
}
