// The trace formats as specifications: the paper's parity exemplar byte for byte, the addition
// trace's step lines, every operation × style round-tripping through its parser, the wrong-rule and
// typo perturbations, answer extraction and the first-wrong-line checker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { compactExample, compactTarget, COMPACT_FORMATS, readCompact } from '../compact-formats.ts';
import { checkTrace, extractAnswer, parseTrace } from '../parse.ts';
import { exemplars } from '../prompts.ts';
import { OPERATIONS, randomNumber, randomProblem, solve, STYLES, trace, traceBody, traceText, type Problem } from '../traces.ts';

const PARITY_EXEMPLAR = `Q: What is the parity on the list a=[1, 1, 0, 1, 0]?
A: We initialize s=0.
a=[1, 1, 0, 1, 0]. The first element of a is 1 so b=1. s = s + b = 0 + 1 = 1. s=1.
a=[1, 0, 1, 0]. The first element of a is 1 so b=1. s = s + b = 1 + 1 = 0. s=0.
a=[0, 1, 0]. The first element of a is 0 so b=0. s = s + b = 0 + 0 = 0. s=0.
a=[1, 0]. The first element of a is 1 so b=1. s = s + b = 0 + 1 = 1. s=1.
a=[0]. The first element of a is 0 so b=0. s = s + b = 1 + 0 = 1. s=1.
a=[] is empty. Since the list a is empty and we have s=1, the parity is 1`;

const ADDITION_STEPS = [
  'Length of FN is 3. FN=[1,2,8]. Length of SN is 3. SN=[3,6,7]. FN[3]=8. SN[3]=7. C[3]=0. Since 8+7+0=15, 15>10, 15%10=5. Length of A is 1. Thus A=[5]. Since (15-5)/10=1, C[2]=1.',
  'Length of FN is 2. FN=[1,2]. Length of SN is 2. SN=[3,6]. FN[2]=2. SN[2]=6. C[2]=1. Since 2+6+1=9, 9<10, 9%10=9. Length of A is 2. Thus A=[9,5]. Since (9-9)/10=0, C[1]=0.',
  'Length of FN is 1. FN=[1]. Length of SN is 1. SN=[3]. FN[1]=1. SN[1]=3. C[1]=0. Since 1+3+0=4, 4<10, 4%10=4. Length of A is 3. Thus A=[4,9,5]. Since (4-4)/10=0, C[0]=0.',
];

test('traceParity([1,1,0,1,0]) is the appendix exemplar byte for byte (s=0, mod-2 sums, no final period)', () => {
  assert.equal(traceText(trace({ op: 'parity', bits: [1, 1, 0, 1, 0] }, 'algorithmic')), PARITY_EXEMPLAR);
  // and it is the first exemplar of every algorithmic parity prompt
  assert.equal(traceText(exemplars(createRng(7), 'parity', 'algorithmic')[0]), PARITY_EXEMPLAR);
});

test('traceAdd(128, 367) writes the paper\'s three step lines and ends in 495', () => {
  const t = trace({ op: 'addition', a: '128', b: '367' }, 'algorithmic');
  assert.deepEqual(t.lines.slice(1, 4), ADDITION_STEPS);
  assert.equal(t.question, 'Problem: 128+367=\nExplanation:');
  assert.match(t.lines[0], /^The first number is 128, FN=\[1,2,8\]\. The second number is 367, SN=\[3,6,7\]\./);
  assert.equal(t.lines.at(-1), 'There are no more digits and the final carry is 0. Thus the answer is A=[4,9,5] → 495.');
  assert.equal(t.answer, '495');
});

test('every operation × style round-trips: the parser recovers the problem, the answer and one state per step', () => {
  const rng = createRng(1);
  for (const op of OPERATIONS) {
    for (const style of STYLES) {
      for (const n of [1, 2, 5, 19]) {
        const p = randomProblem(rng, op, n);
        const t = trace(p, style);
        const parsed = parseTrace(traceText(t));
        assert.deepEqual(parsed.problem, p, `${op} ${style} ${n}`);
        assert.equal(parsed.style, style);
        assert.equal(parsed.answer, solve(p));
        assert.equal(parsed.steps.length, style === 'few-shot' ? 0 : n, `${op} ${style} ${n}: steps`);
        if (style !== 'few-shot' && op !== 'parity') {
          // the last step's answer-so-far holds every digit below the final carry
          const last = parsed.steps.at(-1)!;
          assert.equal(BigInt((last.A as number[]).join('')) % 10n ** BigInt(n), BigInt(solve(p)) % 10n ** BigInt(n), `${op} ${style} ${n}: A`);
        }
        if (op === 'parity' && style !== 'few-shot') assert.equal(String(parsed.steps.at(-1)!.s), solve(p));
      }
    }
  }
});

test('carries and borrows: 999+1 style edge cases, a final carry, a difference with leading zeros', () => {
  const cases: [Problem, string][] = [
    [{ op: 'addition', a: '999', b: '999' }, '1998'],
    [{ op: 'addition', a: '5', b: '5' }, '10'],
    [{ op: 'subtraction', a: '100', b: '99' }, '1'],
    [{ op: 'subtraction', a: '7', b: '7' }, '0'],
    [{ op: 'multiplication', a: '99', b: '9' }, '891'],
  ];
  for (const [p, answer] of cases) {
    for (const style of STYLES) {
      const t = trace(p, style);
      assert.equal(t.answer, answer, `${JSON.stringify(p)} ${style}`);
      assert.equal(parseTrace(traceText(t)).answer, answer);
    }
  }
  assert.match(trace({ op: 'addition', a: '5', b: '5' }, 'algorithmic').lines[1], /Since 5\+5\+0=10, 10=10, 10%10=0\./);
  assert.equal(trace({ op: 'subtraction', a: '100', b: '99' }, 'algorithmic').lines.at(-1), 'There are no more digits and the final borrow is 0. Thus the answer is A=[0,0,1] → 1.');
  assert.throws(() => trace({ op: 'subtraction', a: '3', b: '4' }, 'algorithmic'), /a ≥ b/);
});

test('a systematic error is a consistent wrong rule; a typo changes one written result and nothing after it', () => {
  const sys = trace({ op: 'addition', a: '128', b: '367' }, 'algorithmic', { rule: 'systematic' });
  assert.match(sys.lines[1], /Since \(15-5\)\/10=1, C\[2\]=0\.$/);
  assert.match(sys.lines[2], /C\[2\]=0\. Since 2\+6\+0=8,/);
  assert.notEqual(sys.answer, '495');
  assert.equal(trace({ op: 'parity', bits: [1, 1] }, 'algorithmic', { rule: 'systematic' }).answer, '1');
  const clean = trace({ op: 'addition', a: '128', b: '367' }, 'algorithmic');
  const typo = trace({ op: 'addition', a: '128', b: '367' }, 'algorithmic', { typos: new Set([1]) });
  const differ = clean.lines.map((l, i) => (l === typo.lines[i] ? -1 : i)).filter((i) => i >= 0);
  assert.deepEqual(differ, [2]);
  assert.match(typo.lines[2], /Thus A=\[0,5\]\./);
  assert.equal(typo.answer, '495');
});

test('answer extraction reads "the answer is", "A=[…] →", "Answer:", bare digits, A=[…] and "parity is"', () => {
  assert.equal(extractAnswer('addition', 'blah. Thus the answer is A=[4,9,5] → 495.'), '495');
  assert.equal(extractAnswer('addition', 'Thus the answer is 0495.'), '495');
  assert.equal(extractAnswer('addition', ' 1234\n'), '1234');
  assert.equal(extractAnswer('addition', 'Thus A=[4,9,5]. Since'), '495');
  assert.equal(extractAnswer('addition', 'no number here'), null);
  assert.equal(extractAnswer('parity', 'the parity is 0, no wait, the parity is 1'), '1');
  assert.equal(extractAnswer('parity', 'I do not know'), null);
});

test('checkTrace finds the first wrong line, counts right step lines, and flags right answers with wrong steps', () => {
  const gold = trace({ op: 'addition', a: '128', b: '367' }, 'algorithmic');
  const body = traceBody(gold);
  assert.deepEqual(checkTrace(body, gold), { steps: 3, stepsCorrect: 3, firstWrong: null, allStepsRight: true });
  assert.deepEqual(checkTrace(body + '\n\nProblem: 1+1=', gold), { steps: 3, stepsCorrect: 3, firstWrong: null, allStepsRight: true });
  const wrongStep = body.replace('C[2]=1. Since 2+6+1=9', 'C[2]=1. Since 2+6+1=8');
  assert.deepEqual(checkTrace(wrongStep, gold), { steps: 3, stepsCorrect: 2, firstWrong: 2, allStepsRight: false });
  assert.equal(extractAnswer('addition', wrongStep), '495');
  const truncated = gold.lines.slice(0, 2).join('\n');
  assert.deepEqual(checkTrace(truncated, gold), { steps: 3, stepsCorrect: 1, firstWrong: 2, allStepsRight: false });
  assert.equal(checkTrace(body + '\nextra line', gold).firstWrong, gold.lines.length);
});

test('the compact fine-tuning formats: 128+367 in each, and their reader recovers steps and answer', () => {
  assert.equal(compactTarget(compactExample('128', '367', 'direct')), '495');
  assert.equal(compactTarget(compactExample('128', '367', 'scratchpad')), '12+36,5C1;1+3,95C0;+,495C0>495');
  assert.equal(compactTarget(compactExample('128', '367', 'algorithmic')), '128+367:8+7+0=15,5C1;12+36:2+6+1=9,95C0;1+3:1+3+0=4,495C0>495');
  assert.equal(compactTarget(compactExample('95', '17', 'algorithmic')), '95+17:5+7+0=12,2C1;9+1:9+1+1=11,12C1>112');
  const rng = createRng(3);
  for (const f of COMPACT_FORMATS) {
    for (const n of [1, 4, 9]) {
      const ex = compactExample(randomNumber(rng, n), randomNumber(rng, n), f);
      const read = readCompact(compactTarget(ex), f);
      assert.deepEqual(read, { steps: ex.steps, answer: ex.answer });
    }
  }
  assert.equal(readCompact('12+36,5C1;1+', 'scratchpad').answer, null);
});

test('skill composition: 128 × 37 adds each partial product with the full addition trace, and round-trips', () => {
  const t = trace({ op: 'multiplication', a: '128', b: '37' }, 'algorithmic');
  assert.equal(t.lines[1], 'B[2]=7. 128*7=896. With 0 zeros appended, P=896. We add T=0 and P=896:');
  // the sub-trace is exactly the addition skill's trace of T + P
  const sub = trace({ op: 'addition', a: '896', b: '3840' }, 'algorithmic').lines;
  const at = t.lines.indexOf('B[1]=3. 128*3=384. With 1 zeros appended, P=3840. We add T=896 and P=3840:');
  assert.deepEqual(t.lines.slice(at + 1, at + 1 + sub.length), sub);
  assert.equal(t.lines.at(-1), 'There are no more digits in B. Thus the answer is 4736.');
  const rng = createRng(8);
  for (const style of STYLES) {
    for (const [n, m] of [[1, 2], [4, 2], [6, 3]]) {
      const p: Problem = { op: 'multiplication', a: randomNumber(rng, n), b: randomNumber(rng, m) };
      const parsed = parseTrace(traceText(trace(p, style)));
      assert.deepEqual(parsed.problem, p);
      assert.equal(parsed.answer, solve(p));
      assert.equal(parsed.steps.length, style === 'few-shot' ? 0 : m);
      if (style !== 'few-shot') assert.equal(String(parsed.steps.at(-1)!.T), solve(p));
    }
  }
});
