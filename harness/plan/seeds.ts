// Seeds and the seeded generator. A unit's seed is a hash of what identifies it, so results do not
// depend on the order units run in, on --jobs, or on sharding.
import type { Rng } from '../api/types.ts';
import { canonicalJson, sha256 } from './canonical.ts';

/** 32-bit seed from any JSON-able identity. */
export function deriveSeed(identity: unknown): number {
  return parseInt(sha256(canonicalJson(identity)).slice(0, 8), 16) >>> 0;
}

/** sfc32 generator, state expanded from the seed with splitmix32. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const nextUint32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  let spareNormal: number | null = null;
  const rng: Rng = {
    seed: seed >>> 0,
    next: () => nextUint32() / 4294967296,
    int: (n: number) => {
      if (!(n >= 1)) throw new RangeError(`rng.int: n must be ≥ 1, got ${n}`);
      return Math.floor((nextUint32() / 4294967296) * n);
    },
    normal: () => {
      if (spareNormal !== null) {
        const value = spareNormal;
        spareNormal = null;
        return value;
      }
      let u = 0;
      while (u === 0) u = nextUint32() / 4294967296;
      const v = nextUint32() / 4294967296;
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    shuffle: <T>(items: T[]) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor((nextUint32() / 4294967296) * (i + 1));
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    fork: (label: string) => createRng(deriveSeed([seed >>> 0, label])),
  };
  return rng;
}
