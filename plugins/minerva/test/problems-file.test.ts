// User files: MATH and GSM8k JSONL; bad input is one clear error naming the file and the line.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DatasetMissingError } from '../../../harness/api/index.ts';
import { tempDir } from '../../../test/helpers.ts';
import { locateProblemFile, parseProblemFile, readProblemFile } from '../problems-file.ts';

const mathLine = (o: Record<string, unknown>) => JSON.stringify({ problem: 'What is $1+1$?', solution: 'Clearly $1+1=\\boxed{2}$.', level: 'Level 1', type: 'Prealgebra', ...o });

test('a MATH file gives problems with normalized gold answers, subject and level', () => {
  const [p] = parseProblemFile(`${mathLine({ solution: 'So $x=\\boxed{\\frac12}$.' })}\n`, 'math', 'm.jsonl');
  assert.deepEqual(p, { id: 'line-1', format: 'math', problem: 'What is $1+1$?', gold: '\\frac{1}{2}', subject: 'Prealgebra', level: 1 });
});

test('a GSM8k file gives the number after ####', () => {
  const [p] = parseProblemFile('{"question":"How many?","answer":"2 + 2 = <<2+2=4>>4\\n#### 1,004"}\n', 'gsm8k', 'g.jsonl');
  assert.equal(p.gold, '1004');
});

test('a malformed line, a missing field or a solution without \\boxed{} names the file and the line', () => {
  assert.throws(() => parseProblemFile(`${mathLine({})}\n{"problem": "x",\n`, 'math', 'm.jsonl'), /^ProblemFileError: m\.jsonl line 2: not valid JSON/);
  assert.throws(() => parseProblemFile(`${mathLine({})}\n\n${mathLine({ level: undefined })}`, 'math', 'm.jsonl'), /m\.jsonl line 3: missing field "level"/);
  assert.throws(() => parseProblemFile(mathLine({ solution: 'no box' }), 'math', 'm.jsonl'), /m\.jsonl line 1: the solution has no closed \\boxed/);
  assert.throws(() => parseProblemFile('{"question":"q"}', 'gsm8k', 'g.jsonl'), /g\.jsonl line 1: missing field "answer"/);
  assert.throws(() => parseProblemFile('[1,2]', 'gsm8k', 'g.jsonl'), /g\.jsonl line 1: expected a JSON object/);
  assert.throws(() => parseProblemFile('\n', 'math', 'e.jsonl'), /e\.jsonl: no problems/);
});

test('a missing file is a DatasetMissingError (the unit is skipped) that says where to put it and what to run', () => {
  assert.throws(() => locateProblemFile('/nonexistent/math-test.jsonl', 'math'), (e: Error) =>
    e instanceof DatasetMissingError && /MATH file "\/nonexistent\/math-test.jsonl" not found/.test(e.message) && /"problem", "solution"/.test(e.message) && /harness run minerva-math --model/.test(e.message));
});

test('readProblemFile records the sha256 of the bytes', () => {
  const path = join(tempDir(), 'm.jsonl');
  writeFileSync(path, `${mathLine({})}\n`);
  const { problems, sha256 } = readProblemFile(path, 'math');
  assert.equal(problems.length, 1);
  assert.match(sha256, /^[0-9a-f]{64}$/);
});
