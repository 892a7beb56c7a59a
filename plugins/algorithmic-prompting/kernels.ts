// Kernels, each checked against an independent computation before it is timed: generating the
// algorithmic addition trace (O(n²) characters: FN and SN are re-printed every step), parsing it
// back into step states, and locating the first wrong line of a corrupted trace.
import type { Kernel, Rng } from '../../harness/api/index.ts';
import { checkTrace, parseTrace } from './parse.ts';
import { randomProblem, trace, traceBody, traceText, type Trace } from './traces.ts';

const BATCH = 50;
const sizes = [{ digits: 4 }, { digits: 19 }, { digits: 64 }];
const additions = (rng: Rng, n: number) => Array.from({ length: BATCH }, () => randomProblem(rng, 'addition', n) as { op: 'addition'; a: string; b: string });

/** The body of an algorithmic addition trace written straight from BigInt column sums. */
function referenceAdditionBody(a: string, b: string): string {
  const n = a.length;
  const L = (s: string) => `[${[...s].join(',')}]`;
  const lines = [`The first number is ${a}, FN=${L(a)}. The second number is ${b}, SN=${L(b)}. Since FN ${L(a)} has ${n} digits, SN ${L(b)} has ${n} digits, thus the maximum number of digits is ${n}. In each subsequent step, we remove one number from the end of FN and one from the end of SN.`];
  let carry = 0n;
  let acc = '';
  for (let k = n; k >= 1; k--) {
    const [x, y] = [BigInt(a[k - 1]), BigInt(b[k - 1])];
    const t = x + y + carry;
    const d = t % 10n;
    acc = `${d}${acc}`;
    const cmp = t > 10n ? '>' : t === 10n ? '=' : '<';
    lines.push(`Length of FN is ${k}. FN=${L(a.slice(0, k))}. Length of SN is ${k}. SN=${L(b.slice(0, k))}. FN[${k}]=${x}. SN[${k}]=${y}. C[${k}]=${carry}. Since ${x}+${y}+${carry}=${t}, ${t}${cmp}10, ${t}%10=${d}. Length of A is ${acc.length}. Thus A=${L(acc)}. Since (${t}-${d})/10=${t / 10n}, C[${k - 1}]=${t / 10n}.`);
    carry = t / 10n;
  }
  const all = carry ? `${carry}${acc}` : acc;
  lines.push(`There are no more digits and the final carry is ${carry}. Thus the answer is A=${L(all)} → ${BigInt(a) + BigInt(b)}.`);
  return '\n' + lines.join('\n');
}

const traceGeneration: Kernel<{ a: string; b: string }[], string[]> = {
  sizes,
  setup: (size, rng) => additions(rng, size.digits),
  run: (problems) => problems.map((p) => traceBody(trace({ op: 'addition', a: p.a, b: p.b }, 'algorithmic'))),
  reference: (problems) => problems.map((p) => referenceAdditionBody(p.a, p.b)),
  check: (a, e) => {
    const i = a.findIndex((t, j) => t !== e[j]);
    return i < 0 ? null : `trace ${i} differs from the reference`;
  },
  items: () => BATCH,
};

/** Per trace: the answer-so-far list and carry of every step. */
type States = { A: number[]; carry: number }[][];

const traceParse: Kernel<{ texts: string[]; problems: { a: string; b: string }[] }, States> = {
  sizes,
  setup(size, rng) {
    const problems = additions(rng, size.digits);
    return { problems, texts: problems.map((p) => traceText(trace(p, 'algorithmic'))) };
  },
  run: (inp) => inp.texts.map((t) => parseTrace(t).steps.map((s) => ({ A: s.A as number[], carry: s.carry as number }))),
  reference: (inp) =>
    inp.problems.map((p) => {
      const out: { A: number[]; carry: number }[] = [];
      for (let k = 1; k <= p.a.length; k++) {
        const m = 10n ** BigInt(k);
        const low = (BigInt(p.a) % m) + (BigInt(p.b) % m);
        const A = [...String((low % m) + m).slice(1)].map(Number);
        out.push({ A, carry: Number(low / m) });
      }
      return out;
    }),
  check: (a, e) => (JSON.stringify(a) === JSON.stringify(e) ? null : 'parsed states differ from the column sums'),
  items: () => BATCH,
};

const stepCheck: Kernel<{ gold: Trace[]; predicted: string[] }, (number | null)[]> = {
  sizes,
  setup(size, rng) {
    const gold = additions(rng, size.digits).map((p) => trace(p, 'algorithmic'));
    // corrupt one character of one line (or none) of each body
    const predicted = gold.map((t) => {
      const body = traceBody(t);
      if (rng.int(5) === 0) return body;
      const digits = [...body.matchAll(/\d/g)].map((m) => m.index!);
      const at = digits[rng.int(digits.length)];
      return body.slice(0, at) + String((Number(body[at]) + 1) % 10) + body.slice(at + 1);
    });
    return { gold, predicted };
  },
  run: (inp) => inp.predicted.map((p, i) => checkTrace(p, inp.gold[i]).firstWrong),
  reference: (inp) =>
    inp.predicted.map((p, i) => {
      const g = traceBody(inp.gold[i]);
      let at = 0;
      while (at < g.length && g[at] === p[at]) at++;
      if (at === g.length && p.length === g.length) return null;
      return g.slice(1, at).split('\n').length - 1;
    }),
  check: (a, e) => {
    const i = a.findIndex((v, j) => v !== e[j]);
    return i < 0 ? null : `trace ${i}: first wrong line ${a[i]} vs ${e[i]}`;
  },
  items: () => BATCH,
};

export const kernels = { 'trace-generation': traceGeneration, 'trace-parse': traceParse, 'step-check': stepCheck };
