// MTOB-lite: the invented language's rules, the held-out test split, and the benchmark's own checks
// (spec acceptance 3 for the reference learners — true by construction of the materials, so tests).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { chrF } from '../chrf.ts';
import { claims } from '../claims.ts';
import { dictionaryOnly, generateData, materials, ruleAware, toConlang, toEnglish, type Sentence } from '../mtob-lite.ts';

const data = generateData(createRng(7), 400, 100);
const lex = (en: string) => data.lang.lexicon.find((l) => l.en === en)!;

test('the grammar by hand: SOV, adjective after noun, plural by class, -se/-he object case, class prefix and tense suffix', () => {
  const s: Sentence = { subject: { noun: lex('dog'), plural: true, adj: lex('big') }, verb: lex('watch'), past: true, object: { noun: lex('tree'), plural: false } };
  assert.equal(toEnglish(s), 'the big dogs watched the tree');
  const tree = lex('tree').x;
  const objectSuffix = /[aeiou]$/.test(tree) ? 'he' : 'se';
  assert.equal(toConlang(s), `${lex('dog').x}ri ${lex('big').x} ${tree}${objectSuffix} i${lex('watch').x}ta`);
  const present: Sentence = { ...s, subject: { noun: lex('house'), plural: false }, past: false, object: { noun: lex('cat'), plural: true } };
  assert.equal(toEnglish(present), 'the house watches the cats');
  const cats = `${lex('cat').x}ri`;
  assert.equal(toConlang(present), `${lex('house').x} ${cats}he u${lex('watch').x}na`);
});

test('the same seed gives the same language; test triples never occur in training', () => {
  assert.deepEqual(generateData(createRng(7), 400, 100).lang, data.lang);
  const triple = (s: Sentence) => `${s.subject.noun.en}|${s.verb.en}|${s.object.noun.en}`;
  const train = new Set(data.train.map(triple));
  assert.ok(data.test.every((s) => !train.has(triple(s))));
  assert.equal(data.lang.lexicon.length, new Set(data.lang.lexicon.map((l) => l.x)).size);
});

test('benchmark check (spec acceptance 3): zero-shot at the floor, half < full, rule-aware ≥ dictionary-only with an eng→x gap above 10 chrF', () => {
  const score = (setting: 'zero-shot' | 'half-book' | 'full-book', learner: typeof ruleAware) => {
    const m = materials(data, setting);
    return {
      toX: chrF(data.test.map((s) => learner(m, toEnglish(s), 'en-x')), data.test.map(toConlang)),
      toEn: chrF(data.test.map((s) => learner(m, toConlang(s), 'x-en')), data.test.map(toEnglish)),
    };
  };
  const zero = score('zero-shot', ruleAware);
  const half = score('half-book', ruleAware);
  const full = score('full-book', ruleAware);
  assert.ok(zero.toX < 20 && zero.toEn < 20, JSON.stringify(zero));
  assert.ok(zero.toX < half.toX && half.toX < full.toX);
  assert.ok(zero.toEn < half.toEn && half.toEn < full.toEn);
  for (const setting of ['half-book', 'full-book'] as const) {
    const rules = score(setting, ruleAware);
    const words = score(setting, dictionaryOnly);
    assert.ok(rules.toX - words.toX > 10, `${setting}: ${rules.toX} vs ${words.toX}`);
    assert.ok(rules.toEn >= words.toEn);
  }
});

test('the in-context-learning claim: not-checked without a model, holds or fails on the given models\' chrF chain', () => {
  const row = (method: string, setting: string, value: number) =>
    ({ task: 'gemini-long-context/mtob-lite-translation', method, metric: 'chrf-eng-to-x', value, params: JSON.stringify({ setting, testSentences: 100 }) }) as never;
  const check = (rows: never[]) => claims['mtob-lite-in-context-learning'].check({ rows, budget: 'full' } as never);
  assert.equal(check([row('gemini-long-context/rule-aware', 'zero-shot', 8)]).status, 'not-checked');
  const good = [row('m', 'zero-shot', 12), row('m', 'half-book', 50), row('m', 'full-book', 55)];
  assert.equal(check(good).status, 'holds');
  const flat = [row('m', 'zero-shot', 12), row('m', 'half-book', 59.1), row('m', 'full-book', 59.0)];
  assert.equal(check(flat).status, 'fails');
  assert.equal(check([row('m', 'zero-shot', 25), row('m', 'half-book', 50), row('m', 'full-book', 55)]).status, 'fails');
});
