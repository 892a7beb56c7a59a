// The README's recipe "Adding a method to an existing suite's task", from outside the repository: a
// plugin of its own adds a method to lates/calibration, ranks it on a copy of the `calibration` suite
// (the copy keeps the id and version; the built-in methods' units come from the cache) and passes the
// conformance kit on its own small suite.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readRows } from '../harness/results/csv.ts';
import { cli, ROOT, tempDir } from './helpers.ts';

const manifest = {
  id: 'outside-calibration', title: 'A fixed temperature of 2', version: '1.0.0', harnessApi: '^1.0.0',
  paper: { arxiv: '2211.10193', title: 'Layer-Stack Temperature Scaling', year: 2022 },
  suites: ['suites/outside-calibration.yaml'],
  methods: [{ id: 'temperature-two', task: 'lates/calibration', title: 'softmax of z_L / 2, fitted to nothing' }],
};

// What lates/calibration's prepare hands a method (a cell of per-layer logits per split) and what its
// score expects back (probabilities per split, the layer weights, the temperature, the fit).
const code = `import { definePlugin } from 'paper-harness/api';

interface LayerLogits { layers: Float32Array[]; labels: Int32Array | number[] }
interface Cell { classes: number; layerCount: number; calib: LayerLogits; test: LayerLogits; shifted: LayerLogits | null }

function softmaxOfHalved(d: LayerLogits, classes: number): Float64Array {
  const z = d.layers[d.layers.length - 1];
  const probs = new Float64Array(z.length);
  for (let row = 0; row < z.length; row += classes) {
    let max = -Infinity;
    for (let c = 0; c < classes; c++) max = Math.max(max, z[row + c] / 2);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += probs[row + c] = Math.exp(z[row + c] / 2 - max);
    for (let c = 0; c < classes; c++) probs[row + c] /= sum;
  }
  return probs;
}

export default definePlugin({
  methods: {
    'temperature-two': {
      task: 'lates/calibration',
      run: (_ctx, cell: Cell) => ({
        probs: { calib: softmaxOfHalved(cell.calib, cell.classes), test: softmaxOfHalved(cell.test, cell.classes), shifted: cell.shifted && softmaxOfHalved(cell.shifted, cell.classes) },
        weights: Float64Array.from({ length: cell.layerCount }, (_, l) => (l === cell.layerCount - 1 ? 0.5 : 0)),
        temperature: 2,
        fit: null,
      }),
    },
  },
});
`;

const ownSuite = `id: outside-calibration
version: 1
title: A fixed temperature on the LATES calibration task (small)
description: The method of this plugin on one small cell, for the conformance kit.
primary: { metric: nll }
tasks:
  - task: lates/calibration
    params: { shift: clean, arch: mlp-4, trainSize: 2000, epochs: 1, headEpochs: 1 }
methods: [outside-calibration/temperature-two]
seeds: [0]
`;

test('a method from outside ranks on a copy of the calibration suite, built-in methods from the cache, and passes the kit', async () => {
  const home = tempDir('outside-');
  const cache = tempDir('outside-cache-');
  const plugin = join(home, 'outside-calibration');
  mkdirSync(join(plugin, 'suites'), { recursive: true });
  writeFileSync(join(plugin, 'plugin.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(plugin, 'index.ts'), code);
  writeFileSync(join(plugin, 'suites', 'outside-calibration.yaml'), ownSuite);

  // The published leaderboard's units, computed once (as a reference run would).
  const builtin = cli(['run', 'calibration', '--budget', 'smoke', '--out', join(home, 'builtin')], { HARNESS_CACHE_DIR: cache });
  assert.equal(builtin.status, 0, builtin.stderr);
  const builtinUnits = new Set((await readRows(join(home, 'builtin', 'rows.csv'))).map((r) => r.unit_key)).size;

  // The copy: same file name, id and version; one more method. Run by path, not listed in plugin.json.
  const copy = join(home, 'calibration.yaml');
  const original = readFileSync(join(ROOT, 'plugins', 'lates', 'suites', 'calibration.yaml'), 'utf8');
  writeFileSync(copy, original.replace('  - lates/lates-mc-dropout\n', '  - lates/lates-mc-dropout\n  - outside-calibration/temperature-two\n'));
  const ranked = cli(['run', copy, '--plugin', plugin, '--budget', 'smoke', '--out', join(home, 'ranked')], { HARNESS_CACHE_DIR: cache });
  assert.equal(ranked.status, 0, ranked.stderr);
  assert.match(ranked.stderr, new RegExp(`, ${builtinUnits} from cache, \\d+ to run`));
  const rows = await readRows(join(home, 'ranked', 'rows.csv'));
  const ours = rows.filter((r) => r.method === 'outside-calibration/temperature-two');
  assert.ok(ours.length > 0 && ours.every((r) => r.status === 'ok' && r.suite === 'calibration'), ours.map((r) => r.reason).join('\n'));
  assert.ok(ours.some((r) => r.metric === 'temperature' && r.value === 2));
  const board = readFileSync(join(home, 'ranked', 'leaderboard.csv'), 'utf8');
  assert.match(board, /outside-calibration\/temperature-two/);
  assert.match(board, /lates\/lates/);

  // Listed in plugin.json instead, under any file name, the copy clashes with the original by its id: the message says what to do.
  const listing = join(home, 'listing');
  mkdirSync(join(listing, 'suites'), { recursive: true });
  writeFileSync(join(listing, 'plugin.json'), JSON.stringify({ ...manifest, id: 'listing', suites: ['suites/my-calibration.yaml'], methods: [] }));
  writeFileSync(join(listing, 'index.ts'), `import { definePlugin } from 'paper-harness/api';\nexport default definePlugin({});\n`);
  writeFileSync(join(listing, 'suites', 'my-calibration.yaml'), original);
  const clash = cli(['list', '--plugin', listing]);
  assert.equal(clash.status, 2);
  assert.match(clash.stderr, /duplicate suite id "calibration"[\s\S]*run the copy by path/);

  const kit = cli(['plugin', 'test', plugin], { HARNESS_CACHE_DIR: cache });
  assert.equal(kit.status, 0, kit.stdout + kit.stderr);
  assert.match(kit.stdout, /pass {2}every task\/method pair is in a suite/);
});
