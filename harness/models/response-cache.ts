// Responses of remote models kept on disk, one JSON file per request, so that a rerun or a resumed
// run sends no request twice. Only deterministic requests belong here (greedy, tokenize, scoring,
// or sampling with a seed); the caller decides. A file is written only for a response that parsed,
// atomically, and a file that does not read back as a valid response is ignored and overwritten.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Json } from '../api/types.ts';
import { canonicalJson, sha256 } from '../plan/canonical.ts';
import { writeFileAtomic } from '../results/csv.ts';

/** What identifies a request: the model's identity (never a secret), the endpoint path and the body. */
export interface CachedRequest {
  identity: Json;
  path: string;
  body: Json;
}

export interface ResponseCacheStats {
  hits: number;
  misses: number;
  /** Files that were present but unreadable or invalid (counted among the misses too). */
  corrupt: number;
}

export interface ResponseCache {
  /** The folder holding `<first 2 hex>/<sha256>.json`. */
  readonly dir: string;
  readonly stats: Readonly<ResponseCacheStats>;
  keyOf(request: CachedRequest): string;
  /**
   * `parse` of the stored response to `request`, else of `send()`'s, which is then stored. A
   * response that `parse` rejects is not stored (a stored one it rejects counts as corrupt). Equal
   * requests in flight at once share one `send()`.
   */
  through<T>(request: CachedRequest, send: () => Promise<unknown>, parse: (response: unknown) => T): Promise<T>;
}

interface CacheFile {
  key: string;
  path: string;
  request: Json;
  response: Json;
}

export function createResponseCache(dir: string): ResponseCache {
  const stats: ResponseCacheStats = { hits: 0, misses: 0, corrupt: 0 };
  const inFlight = new Map<string, Promise<unknown>>();
  const fileOf = (key: string) => join(dir, key.slice(0, 2), `${key}.json`);

  function read(key: string): { response: unknown } | undefined {
    let text: string;
    try {
      text = readFileSync(fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const file = JSON.parse(text) as CacheFile;
      if (file && file.key === key && 'response' in file) return { response: file.response };
    } catch {
      // fall through: a half-written or edited file
    }
    stats.corrupt++;
    return undefined;
  }

  const keyOf = (request: CachedRequest) => sha256(canonicalJson({ identity: request.identity, path: request.path, body: request.body }));

  return {
    dir,
    stats,
    keyOf,
    async through(request, send, parse) {
      const key = keyOf(request);
      const stored = read(key);
      if (stored) {
        try {
          const value = parse(stored.response);
          stats.hits++;
          return value;
        } catch {
          stats.corrupt++;
        }
      }
      let pending = inFlight.get(key);
      if (pending) {
        stats.hits++;
        return parse(await pending);
      }
      stats.misses++;
      pending = (async () => {
        const response = await send();
        parse(response); // throws on a response not worth keeping
        mkdirSync(join(dir, key.slice(0, 2)), { recursive: true });
        const file: CacheFile = { key, path: request.path, request: request.body, response: response as Json };
        writeFileAtomic(fileOf(key), `${JSON.stringify(file)}\n`);
        return response;
      })();
      inFlight.set(key, pending);
      try {
        return parse(await pending);
      } finally {
        inFlight.delete(key);
      }
    },
  };
}
