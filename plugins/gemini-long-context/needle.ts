// Needles, their insertion at sentence boundaries, the completion-style prompts and exact-number scoring
// (Gemini 1.5 §5.2.1.2: "The special magic {city} number is: {number}", score 1 iff the number appears).
import type { Rng } from '../../harness/api/index.ts';

/** Cities for the dynamic needles (one fresh city + number per cell, as in the Vertex NIAH fork). */
export const CITIES = [
  'Amsterdam', 'Athens', 'Auckland', 'Baghdad', 'Bangkok', 'Barcelona', 'Beijing', 'Berlin', 'Bogota', 'Boston',
  'Brisbane', 'Brussels', 'Bucharest', 'Budapest', 'Cairo', 'Calgary', 'Casablanca', 'Chicago', 'Copenhagen', 'Dakar',
  'Delhi', 'Denver', 'Dhaka', 'Dublin', 'Edinburgh', 'Florence', 'Frankfurt', 'Geneva', 'Hamburg', 'Hanoi',
  'Havana', 'Helsinki', 'Houston', 'Istanbul', 'Jakarta', 'Kabul', 'Karachi', 'Kiev', 'Kyoto', 'Lagos',
  'Lima', 'Lisbon', 'London', 'Madrid', 'Manila', 'Marseille', 'Melbourne', 'Miami', 'Milan', 'Montreal',
  'Moscow', 'Mumbai', 'Munich', 'Nairobi', 'Naples', 'Oslo', 'Ottawa', 'Paris', 'Perth', 'Prague',
  'Quito', 'Riga', 'Rome', 'Santiago', 'Seattle', 'Seoul', 'Shanghai', 'Singapore', 'Sofia', 'Stockholm',
  'Sydney', 'Taipei', 'Tallinn', 'Tehran', 'Tokyo', 'Toronto', 'Tunis', 'Valencia', 'Vancouver', 'Venice',
  'Vienna', 'Vilnius', 'Warsaw', 'Zagreb', 'Zurich', 'Accra', 'Adelaide', 'Algiers', 'Ankara', 'Antwerp',
  'Asuncion', 'Baku', 'Belgrade', 'Bern', 'Bratislava', 'Cologne', 'Cordoba', 'Damascus', 'Doha', 'Glasgow',
  'Kampala', 'Kingston', 'Lyon', 'Manchester', 'Montevideo',
] as const;

export interface Needle {
  city: string;
  /** Exactly 7 decimal digits, no leading zero. */
  number: string;
}

/** `k` needles with distinct cities and distinct numbers. */
export function drawNeedles(rng: Rng, k: number): Needle[] {
  if (k > CITIES.length) throw new RangeError(`at most ${CITIES.length} needles (one per city), asked for ${k}`);
  const cities = rng.shuffle([...CITIES]).slice(0, k);
  const numbers = new Set<string>();
  return cities.map((city) => {
    let number: string;
    do number = String(1_000_000 + rng.int(9_000_000));
    while (numbers.has(number));
    numbers.add(number);
    return { city, number };
  });
}

/** The needle sentence; the leading space makes it start a new sentence after the period it follows. */
export const needleSentence = (n: Needle) => ` The special magic ${n.city} number is: ${n.number}.`;
/** The completion-style question for base language models (the prompt ends here; the model continues). */
export const needleQuestion = (city: string) => `\n\nThe special magic ${city} number is:`;
/** Chat-model phrasing of the question (spec: "What is the special magic {city} number?"). */
export const chatQuestion = (city: string) => `What is the special magic ${city} number?`;

/** Score 1 iff the exact 7-digit number occurs in `output` as a whole digit run (not inside a longer number). */
export function containsNumber(output: string, number: string): boolean {
  for (let i = output.indexOf(number); i >= 0; i = output.indexOf(number, i + 1)) {
    const before = i > 0 ? output[i - 1] : '';
    const after = output[i + number.length] ?? '';
    if (!/[0-9]/.test(before) && !/[0-9]/.test(after)) return true;
  }
  return false;
}

/** A token ends a sentence when its text, without trailing spaces and closing quotes/brackets, ends in . ! or ?. */
export function endsSentence(text: string): boolean {
  return /[.!?]["'’”)\]]*\s*$/.test(text);
}

/**
 * Insertion point for a needle at `depth` percent of `haystack` (Kamradt's rule): depth ≥ 100 appends;
 * otherwise start at ⌊n·depth/100⌋ and walk back until the token before it ends a sentence (or the
 * start is reached). O(n).
 */
export function insertionPoint(haystack: ArrayLike<number>, depth: number, isBoundary: (token: number) => boolean): number {
  const n = haystack.length;
  if (depth >= 100) return n;
  let pos = Math.floor((n * Math.max(0, depth)) / 100);
  while (pos > 0 && !isBoundary(haystack[pos - 1])) pos--;
  return pos;
}

/** Inserts each needle (token ids) at its depth; positions are found on the original haystack, ties keep order. */
export function insertNeedles(
  haystack: ArrayLike<number>,
  needles: { ids: ArrayLike<number>; depth: number }[],
  isBoundary: (token: number) => boolean,
): { ids: Int32Array; positions: number[] } {
  const at = needles.map((nd) => insertionPoint(haystack, nd.depth, isBoundary));
  const extra = needles.reduce((s, nd) => s + nd.ids.length, 0);
  const out = new Int32Array(haystack.length + extra);
  const order = at.map((p, i) => i).sort((a, b) => at[a] - at[b] || a - b);
  const positions = new Array<number>(needles.length);
  let src = 0;
  let dst = 0;
  for (const i of order) {
    for (; src < at[i]; src++) out[dst++] = haystack[src];
    positions[i] = dst;
    const ids = needles[i].ids;
    for (let j = 0; j < ids.length; j++) out[dst++] = ids[j];
  }
  for (; src < haystack.length; src++) out[dst++] = haystack[src];
  return { ids: out, positions };
}

/** Linear depths in percent: `count` points from 0 to 100 (count 1 → [0]). */
export function linearDepths(count: number): number[] {
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.round((1000 * i) / (count - 1)) / 10);
}

/** Depths of K needles spread over the context: 100·i/K, i = 0..K−1 (Kamradt's multi-needle rule with first depth 0). */
export function multiNeedleDepths(k: number): number[] {
  return Array.from({ length: k }, (_, i) => (100 * i) / k);
}
