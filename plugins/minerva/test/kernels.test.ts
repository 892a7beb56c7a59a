// Every kernel agrees with its independent reference at its smallest size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../../harness/api/index.ts';
import { kernels } from '../kernels.ts';

for (const [id, kernel] of Object.entries(kernels)) {
  test(`kernel ${id} matches its reference`, async () => {
    const k = kernel as { sizes: Record<string, number>[]; setup: Function; run: Function; reference: Function; check: Function };
    const input = await k.setup(k.sizes[0], createRng(42));
    assert.equal(k.check(await k.run(input), await k.reference(input)), null);
  });
}
