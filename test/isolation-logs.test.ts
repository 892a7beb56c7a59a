// The per-unit logs: output is filed under the job whose mark precedes it, even when marks are cut across
// reads, and a log keeps its first lines and counts the rest.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { outputMark } from '../harness/run/protocol.ts';
import { BoundedLog, OutputRouter } from '../harness/run/unit-log.ts';
import { tempDir } from './helpers.ts';

test('output is split into the jobs\' logs by their marks, whatever the chunking, and each log is bounded', () => {
  for (const chunk of [1, 2, 3, 7, 1000]) {
    const dir = tempDir('logs-');
    const a = new BoundedLog(join(dir, 'a.log'), { bytes: 1000, lines: 3 });
    const b = new BoundedLog(join(dir, 'b.log'));
    const router = new OutputRouter(() => undefined);
    router.expect(1, a);
    router.expect(2, b);
    const text = Buffer.from(`before any job${outputMark(1)}l1\nl2\nl3\nl4\nl5${outputMark(2)}b1\n\u0000b2\n`);
    for (let i = 0; i < text.length; i += chunk) router.write(text.subarray(i, i + chunk));
    router.flush();
    a.close();
    b.close();
    // l4 and the unfinished l5: two lines, 5 bytes.
    assert.equal(readFileSync(join(dir, 'a.log'), 'utf8'), "l1\nl2\nl3\n\n[harness] 2 more line(s) (5 bytes) not kept: a unit's log keeps its first 3 lines or 1000 bytes\n");
    assert.equal(readFileSync(join(dir, 'b.log'), 'utf8'), 'b1\n\u0000b2\n');
  }
});

test('a log that nothing was written to is never created; the byte limit keeps whole lines', () => {
  const dir = tempDir('logs-');
  new BoundedLog(join(dir, 'none.log')).close();
  assert.throws(() => readFileSync(join(dir, 'none.log')));
  const log = new BoundedLog(join(dir, 'bytes.log'), { bytes: 10, lines: 100 });
  log.write('12345\n6789012\n');
  log.close();
  assert.equal(readFileSync(join(dir, 'bytes.log'), 'utf8'), "12345\n\n[harness] 1 more line(s) (8 bytes) not kept: a unit's log keeps its first 100 lines or 10 bytes\n");
});
