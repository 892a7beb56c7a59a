// Parity (§2 of arXiv 2207.04901): a bit string → whether its number of 1s is odd. As bits for the
// tiny models, and as the natural-language coin-flip task the paper uses for prompting LLMs.
import type { Rng } from '../../harness/api/index.ts';

/** `n` uniform random bits. */
export function randomBits(rng: Rng, n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`parity: length must be an integer ≥ 1, got ${n}`);
  return Array.from({ length: n }, () => rng.int(2));
}

/** 1 when the number of 1s is odd, else 0. */
export function parityOf(bits: readonly number[]): number {
  let p = 0;
  for (const b of bits) p ^= b;
  return p;
}

/** The running parity after each element (the scratchpad states); the last one is the answer. */
export function runningParity(bits: readonly number[]): number[] {
  const states: number[] = [];
  let p = 0;
  for (const b of bits) states.push((p ^= b));
  return states;
}

/** Human-readable forms of the two fine-tuning formats (spec "Formats"). */
export function parityText(bits: readonly number[], format: 'direct' | 'scratchpad'): string {
  const input = bits.join(' ');
  if (format === 'direct') return `${input} => ${parityOf(bits)}`;
  return `${input} ; ${runningParity(bits).join(' ')} => ${parityOf(bits)}`;
}

// ---------------------------------------------------------------------------------------------
// Coin flip: "a coin is heads up; each person flips or does not flip it; is it still heads up?"
// Heads up at the end ⇔ an even number of flips ⇔ parity 0. For external language models only.

const NAMES = [
  'Ada', 'Ben', 'Cleo', 'Dev', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'June', 'Kai', 'Lena', 'Milo', 'Nia', 'Omar', 'Pia',
  'Quinn', 'Rosa', 'Sam', 'Tara', 'Uma', 'Vik', 'Wes', 'Xena', 'Yuri', 'Zoe',
];

export interface CoinFlipInstance {
  /** 1 = that person flips the coin. */
  flips: number[];
  people: string[];
  /** "yes" when the coin is still heads up. */
  answer: 'yes' | 'no';
}

export function coinFlipInstance(rng: Rng, n: number): CoinFlipInstance {
  const flips = randomBits(rng, n);
  const people = Array.from({ length: n }, (_, i) => `${NAMES[rng.int(NAMES.length)]}${i >= NAMES.length ? ` ${i + 1}` : ''}`);
  return { flips, people, answer: parityOf(flips) === 0 ? 'yes' : 'no' };
}

export function coinFlipQuestion(inst: CoinFlipInstance): string {
  const moves = inst.flips.map((f, i) => `${inst.people[i]} ${f ? 'flips' : 'does not flip'} the coin.`);
  return `Q: A coin is heads up. ${moves.join(' ')} Is the coin still heads up?`;
}

/** The worked answer of a scratchpad exemplar: the coin's side after every person, then the answer. */
export function coinFlipScratchpad(inst: CoinFlipInstance): string {
  const states = runningParity(inst.flips);
  const steps = inst.flips.map((f, i) => `${inst.people[i]} ${f ? 'flips' : 'does not flip'}: ${states[i] ? 'tails' : 'heads'}.`);
  return `A: The coin starts heads up. ${steps.join(' ')} So the answer is ${inst.answer}.`;
}

/**
 * A few-shot prompt (the paper's prompting modalities 3 and 4): `shots` solved exemplars, then the
 * question. With `scratchpad`, each exemplar shows the coin's side after every step.
 */
export function coinFlipPrompt(exemplars: CoinFlipInstance[], query: CoinFlipInstance, scratchpad: boolean): string {
  const solved = exemplars.map((e) => `${coinFlipQuestion(e)}\n${scratchpad ? coinFlipScratchpad(e) : `A: ${e.answer}.`}`);
  return [...solved, `${coinFlipQuestion(query)}\nA:`].join('\n\n');
}

/** Reads "yes"/"no" from a model's completion: the last of the two words it contains, or null. */
export function readCoinFlipAnswer(completion: string): 'yes' | 'no' | null {
  const words = completion.toLowerCase().match(/\b(yes|no)\b/g);
  return words ? (words[words.length - 1] as 'yes' | 'no') : null;
}
