// Content-addressed artifact store on disk: a key names a deterministic computation's result.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ArtifactCache, Json } from '../api/types.ts';
import { sha256 } from '../plan/canonical.ts';

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
