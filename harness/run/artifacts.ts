// Content-addressed artifact store on disk: a key names a deterministic computation's result.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactCache, Json } from '../api/types.ts';
import { sha256 } from '../plan/canonical.ts';
import { pluginCodeHash, type PluginRecord } from '../plan/registry.ts';
import { withFileLock } from './lock.ts';

/** Through a temporary file unique to this process, thread and call, and a rename. */
function writeAtomic(path: string, data: string | Uint8Array) {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const codeHashes = new Map<string, string>();

/** The artifact cache of one plugin. Its keys include the plugin's code hash (the import graph of its
 * entry module, see plan/code-hash.ts): weights trained by other code are never served, whatever key
 * the plugin chose. Hashed once per plugin and process: code does not change during a run. */
export function pluginArtifactCache(dir: string, record: PluginRecord): ArtifactCache {
  if (!codeHashes.has(record.dir)) codeHashes.set(record.dir, pluginCodeHash(record));
  return createArtifactCache(dir, `${record.manifest.id}\0${codeHashes.get(record.dir)}`);
}

/** Each entry is computed by one process at a time (others wait on its lock file and then read it) and
 * written through a temporary file and a rename, so no reader sees half an entry. */
export function createArtifactCache(dir: string, namespace: string): ArtifactCache {
  const pathFor = (key: string, ext: string) => join(dir, `${sha256(`${namespace}\0${key}`)}.${ext}`);
  const entry = async <T>(path: string, read: () => T, compute: () => Promise<T> | T, write: (value: T) => void): Promise<T> => {
    if (existsSync(path)) return read();
    mkdirSync(dir, { recursive: true });
    return withFileLock(`${path}.lock`, async () => {
      if (existsSync(path)) return read(); // computed by the holder we waited for
      const value = await compute();
      write(value);
      return value;
    });
  };
  return {
    json<T extends Json>(key: string, compute: () => Promise<T> | T): Promise<T> {
      const path = pathFor(key, 'json');
      return entry(path, () => JSON.parse(readFileSync(path, 'utf8')) as T, compute, (value) => writeAtomic(path, JSON.stringify(value)));
    },
    bytes(key: string, compute: () => Promise<Uint8Array> | Uint8Array): Promise<Uint8Array> {
      const path = pathFor(key, 'bin');
      return entry(path, () => new Uint8Array(readFileSync(path)), compute, (value) => writeAtomic(path, value));
    },
  };
}
