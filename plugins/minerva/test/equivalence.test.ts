// isEquiv: compute-engine equivalence with the reference's rule, never a crash, ≥ 95 % agreement with SymPy.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEquiv } from '../equivalence.ts';
import { equivalenceGolden } from '../golden.ts';

test('the equivalences the spec observed with compute-engine 0.140', () => {
  for (const [a, b] of [['\\frac{1}{\\sqrt{3}}', '\\frac{\\sqrt{3}}{3}'], ['0.5', '\\frac12'], ['2\\sqrt2', '\\sqrt8'], ['\\pi/2', '\\frac{\\pi}{2}'], ['3x-1', '-1+3x'], ['[2,5)', '[2,5)'], ['x^2+2x+1', '(x+1)^2']]) {
    assert.equal(isEquiv(a, b), true, `${a} ≡ ${b}`);
  }
  for (const [a, b] of [['1/2', '1/3'], ['[2,5)', '[2,6)'], ['(1,2)', '(2,1)'], ['x+1', 'x-1']]) assert.equal(isEquiv(a, b), false, `${a} ≢ ${b}`);
});

test('unparsable answers are not equivalent and never throw', () => {
  for (const [a, b] of [['\\{', '3'], ['[invalidanswer]', '3'], ['', ''], ['\\frac{', '\\frac{'.repeat(2)], ['}}}', '1'], ['\\begin{pmatrix}1', '1']]) {
    assert.doesNotThrow(() => isEquiv(a, b));
  }
  assert.equal(isEquiv('\\{', '3'), false);
  assert.equal(isEquiv('', ''), true); // equal strings, as in the reference's normalized comparison
});

test('a check past its time limit is not equivalent', () => {
  assert.equal(isEquiv('x^{20}+1', '(x+1)^{20}', { timeoutMs: 0 }), false);
});

test('agreement with SymPy on the golden pairs is ≥ 95 %, and every disagreement is SymPy failing a true equivalence', () => {
  const golden = equivalenceGolden();
  assert.ok(golden.length >= 300);
  const disagreements = golden.filter((c) => isEquiv(c.a, c.b) !== c.sympy);
  assert.ok(1 - disagreements.length / golden.length >= 0.95, `${disagreements.length} disagreements`);
  assert.ok(disagreements.every((c) => !c.sympy), JSON.stringify(disagreements.filter((c) => c.sympy)));
});
