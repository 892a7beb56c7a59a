import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HARNESS_ROOT } from '../../../harness/plan/registry.ts';
import { loadBenchmarkCurves, parseCurvesCsv } from '../curves.ts';

const DATA_DIR = join(process.env.HARNESS_DATA_DIR ?? join(HARNESS_ROOT, 'data'), 'scaling-laws');
const HAVE_DATA = existsSync(join(DATA_DIR, 'benchmark.vision.csv')) && existsSync(join(DATA_DIR, 'benchmark.lang.csv'));

test('parser: quoted fields, grouping, sorting, de-duplication, Training as given', () => {
  const csv = [
    'Domain,Task,Model,Seen Examples,Loss,Training',
    'NMT,log_perplexity,"6 Enc, 6 Dec",4.0,0.5,1',
    'NMT,log_perplexity,"6 Enc, 6 Dec",1.0,0.9,1',
    'NMT,log_perplexity,"6 Enc, 6 Dec",2.0,0.7,1',
    'NMT,log_perplexity,"6 Enc, 6 Dec",8.0,0.4,0',
    'NMT,log_perplexity,"6 Enc, 6 Dec",1.0,0.9,1',
    'BB,"(\'date\', \'1-shot\')",262M,10,0.9,1',
    'BB,"(\'date\', \'1-shot\')",262M,30,0.8,1', // Training=1 although it is beyond x_max/2
    'BB,"(\'date\', \'1-shot\')",262M,40,0.7,0',
    'IC,"a ""quoted"" task",ViT/B/16,5,0.5,0',
  ].join('\r\n');
  const curves = parseCurvesCsv(csv, 'mem.csv');
  assert.equal(curves.length, 3);
  const [nmt, bb, ic] = curves;
  assert.equal(nmt.id, 'NMT/log_perplexity/6 Enc, 6 Dec');
  assert.deepEqual(Array.from(nmt.fitX), [1, 2, 4]);
  assert.deepEqual(Array.from(nmt.fitY), [0.9, 0.7, 0.5]);
  assert.deepEqual(Array.from(nmt.testX), [8]);
  assert.equal(bb.id, "BB/('date', '1-shot')/262M");
  assert.deepEqual(Array.from(bb.fitX), [10, 30]);
  assert.equal(ic.task, 'a "quoted" task');
  assert.equal(ic.fitX.length, 0);
});

test('parser: errors name the file and line', () => {
  const head = 'Domain,Task,Model,Seen Examples,Loss,Training\n';
  assert.throws(() => parseCurvesCsv(head + 'IC,t,m,1,0.5,1\nIC,t,m,abc,0.5,1\n', 'f.csv'), /f\.csv:3: Seen Examples/);
  assert.throws(() => parseCurvesCsv(head + 'XX,t,m,1,0.5,1\n', 'f.csv'), /f\.csv:2: unknown Domain/);
  assert.throws(() => parseCurvesCsv(head + 'IC,t,m,1,0.5\n', 'f.csv'), /f\.csv:2: expected 6 fields/);
  assert.throws(() => parseCurvesCsv(head + 'IC,"t,m,1,0.5,1\n', 'f.csv'), /f\.csv:2: unterminated/);
  assert.throws(() => parseCurvesCsv(head + 'IC,t,m,1,0.5,2\n', 'f.csv'), /f\.csv:2: Training/);
  assert.throws(() => parseCurvesCsv(head + 'IC,t,m,1,0.5,1\nIC,t,m,1,0.6,1\n', 'f.csv'), /f\.csv:3: .*different loss/);
  assert.throws(() => parseCurvesCsv('Domain,Task,Model,Loss,Training\n', 'g.csv'), /g\.csv:1: missing column "Seen Examples"/);
});

test('released CSVs: 92 curves, LM repeats removed, Training column authoritative', (t) => {
  if (!HAVE_DATA) {
    t.skip(`no data at ${DATA_DIR}`);
    return;
  }
  const curves = loadBenchmarkCurves(DATA_DIR);
  assert.equal(curves.length, 92);
  const count = (d: string) => curves.filter((c) => c.domain === d).length;
  assert.deepEqual([count('IC'), count('NMT'), count('LM'), count('BB')], [72, 5, 5, 10]);
  assert.equal(new Set(curves.map((c) => c.id)).size, 92);
  const lm = Object.fromEntries(curves.filter((c) => c.domain === 'LM').map((c) => [c.model, [c.fitX.length, c.testX.length]]));
  assert.deepEqual(lm, {
    '1.68e+07': [59, 60],
    '1.34e+08': [12, 12],
    '2.62e+08': [39, 5],
    '4.53e+08': [11, 10],
    '1.07e+09': [11, 10],
  });
  for (const c of curves) {
    for (let i = 1; i < c.fitX.length; i++) assert.ok(c.fitX[i] > c.fitX[i - 1], `${c.id} fit sorted`);
    for (let i = 1; i < c.testX.length; i++) assert.ok(c.testX[i] > c.testX[i - 1], `${c.id} test sorted`);
    assert.ok(c.fitX.length >= 3 && c.testX.length >= 1, c.id);
  }
  for (const c of curves.filter((c) => c.domain === 'BB')) assert.deepEqual([c.fitX.length, c.testX.length, c.model], [19, 24, '262M']);
  for (const c of curves.filter((c) => c.domain === 'NMT')) assert.equal(c.testX.length, 1);
  // Training = 1 beyond x_max/2 on IC cal_25 / BiT/101/3 is kept as given
  const cal = curves.find((c) => c.id === 'IC/cal_25/BiT/101/3')!;
  assert.ok(cal.fitX.includes(40895560) && cal.fitX.includes(43977801));
  assert.ok(Math.max(...cal.testX) / 2 < 40895560);
});
