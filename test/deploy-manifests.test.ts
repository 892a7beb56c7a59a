// The deployment files we ship are checked against the real schemas: the Kubernetes manifests against
// the Kubernetes OpenAPI schemas (kubernetes-models validates with them), and the commands they run
// against the CLI and the suites that exist.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { discover } from '../harness/plan/registry.ts';
import { cli, ROOT } from './helpers.ts';

const require = createRequire(import.meta.url);
const K8S = join(ROOT, 'deploy', 'kubernetes');

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string };
  spec?: { template?: { spec?: { containers?: Array<{ args?: string[]; command?: string[] }> } } };
}

function manifests(): Array<{ file: string; doc: Manifest }> {
  return readdirSync(K8S)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((d) => ({ file, doc: d.toJS() as Manifest })));
}

/** The kubernetes-models class of an object (`batch/v1` + `Job` → kubernetes-models/batch/v1/Job). */
function modelOf(doc: Manifest): new (data: unknown) => { validate(): void } {
  const [group, version] = doc.apiVersion.includes('/') ? doc.apiVersion.split('/') : ['', doc.apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${doc.kind}` : `kubernetes-models/${version}/${doc.kind}`;
  return require(path)[doc.kind];
}

test('every Kubernetes manifest in deploy/kubernetes is valid against the Kubernetes schemas', () => {
  const all = manifests();
  assert.ok(all.length >= 2);
  for (const { file, doc } of all) {
    const Model = modelOf(doc);
    assert.doesNotThrow(() => new Model(doc).validate(), `${file}: ${doc.kind} ${doc.metadata?.name}`);
  }
});

test('the schema check is not vacuous: a broken Job is rejected', () => {
  const { file, doc } = manifests().find((m) => m.doc.kind === 'Job')!;
  const broken = structuredClone(doc) as Manifest & { spec: { completions?: unknown } };
  broken.spec.completions = 'four';
  assert.throws(() => new (modelOf(broken))(broken).validate(), /completions/, file);
});

test('the commands in the manifests name suites that exist and options the CLI accepts', () => {
  const registry = discover();
  for (const { file, doc } of manifests()) {
    for (const container of doc.spec?.template?.spec?.containers ?? []) {
      const script = (container.args ?? []).join(' ');
      const run = script.match(/harness run (\S+)/);
      if (run) {
        assert.ok(registry.suites.has(run[1]), `${file}: suite "${run[1]}" does not exist`);
        // The run's own options (without the shard and output, which need the pod's environment).
        const options = script.slice(script.indexOf('harness run') + 'harness run'.length).trim().split(/\s+/);
        const budget = options[options.indexOf('--budget') + 1];
        const plan = cli(['plan', run[1], '--budget', budget]);
        assert.equal(plan.status, 0, `${file}: ${plan.stderr}`);
        assert.match(script, /--shard auto/);
      }
      assert.ok(/harness (run|merge) /.test(script), `${file}: runs neither harness run nor harness merge`);
    }
  }
});
