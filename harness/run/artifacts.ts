// Content-addressed artifact store on disk: a key names a deterministic computation's result.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactCache, Json } from '../api/types.ts';
import { sha256 } from '../plan/canonical.ts';
import { pluginCodeHash, type PluginRecord } from '../plan/registry.ts';

const codeHashes = new Map<string, string>();

/** The artifact cache of one plugin. Its keys include the plugin's code hash (the import graph of its
 * entry module, see plan/code-hash.ts): weights trained by other code are never served, whatever key
 * the plugin chose. Hashed once per plugin and process: code does not change during a run. */
export function pluginArtifactCache(dir: string, record: PluginRecord): ArtifactCache {
  if (!codeHashes.has(record.dir)) codeHashes.set(record.dir, pluginCodeHash(record));
  return createArtifactCache(dir, `${record.manifest.id}\0${codeHashes.get(record.dir)}`);
}

export function createArtifactCache(dir: string, namespace: string): ArtifactCache {
  const pathFor = (key: string, ext: string) => join(dir, `${sha256(`${namespace}\0${key}`)}.${ext}`);
  const store = (path: string, data: string | Uint8Array) => {
    mkdirSync(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.floor(performance.now())}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  };
  return {
    async json<T extends Json>(key: string, compute: () => Promise<T> | T): Promise<T> {
      const path = pathFor(key, 'json');
      if (existsSync(path)) return JSON.parse(readFileSync(path, 'utf8')) as T;
      const value = await compute();
      store(path, JSON.stringify(value));
      return value;
    },
    async bytes(key: string, compute: () => Promise<Uint8Array> | Uint8Array): Promise<Uint8Array> {
      const path = pathFor(key, 'bin');
      if (existsSync(path)) return new Uint8Array(readFileSync(path));
      const value = await compute();
      store(path, value);
      return value;
    },
  };
}
