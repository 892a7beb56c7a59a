// Scale-out on a real Slurm: a one-node cluster (Debian's slurm-wlm and munge) started on this machine,
// the smoke suite submitted with deploy/slurm/submit as a 3-task array plus the dependent merge job,
// and the merged rows compared with a single-machine run. Skipped, with the reason, where Slurm is not
// installed or its daemons cannot be started (they need root).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ResultRow } from '../harness/api/types.ts';
import { readRows } from '../harness/results/csv.ts';
import { cli, ROOT, tempDir } from './helpers.ts';

const which = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim();

function whyNot(): string | undefined {
  const missing = ['slurmctld', 'slurmd', 'sbatch', 'squeue', 'munged'].filter((c) => !which(c) && !existsSync(`/usr/sbin/${c}`));
  if (missing.length) return `Slurm is not installed (${missing.join(', ')} missing): apt-get install slurm-wlm munge`;
  if (process.getuid?.() !== 0) return 'the Slurm daemons of a one-node test cluster need root';
  if (!existsSync('/etc/munge/munge.key')) return 'munge has no key (/etc/munge/munge.key)';
  return undefined;
}

/** Metrics read off the clock differ between any two runs, on one machine or many. */
const clockMetric = (row: ResultRow) => row.unit === 'ms' || row.unit === 'tokens/s' || /step-time/.test(row.task);

function comparable(rows: ResultRow[]): Map<string, number | null | string> {
  return new Map(rows.filter((r) => !clockMetric(r)).map((r) => [`${r.unit_key} ${r.metric} ${r.method}`, r.status === 'ok' ? r.value : r.status]));
}

interface Cluster {
  conf: string;
  stop(): void;
  log(): string;
}

function startCluster(): Cluster {
  const dir = tempDir('slurm-');
  const node = hostname().split('.')[0];
  const port = 20000 + Math.floor(Math.random() * 20000);
  for (const sub of ['state', 'spool']) mkdirSync(join(dir, sub));
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=harness-test',
      `SlurmctldHost=${node}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `StateSaveLocation=${dir}/state`,
      `SlurmdSpoolDir=${dir}/spool`,
      `SlurmctldPidFile=${dir}/slurmctld.pid`,
      `SlurmdPidFile=${dir}/slurmd.pid`,
      `SlurmctldPort=${port}`,
      `SlurmdPort=${port + 1}`,
      `SlurmctldLogFile=${dir}/slurmctld.log`,
      `SlurmdLogFile=${dir}/slurmd.log`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SchedulerType=sched/backfill',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobCompType=jobcomp/none',
      `NodeName=${node} CPUs=${cpus().length} RealMemory=4000 State=UNKNOWN`,
      `PartitionName=test Nodes=${node} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const startedMunge = !spawnSync('pgrep', ['-x', 'munged']).stdout.length;
  if (startedMunge) {
    mkdirSync('/run/munge', { recursive: true });
    spawnSync('munged', ['--force'], { stdio: 'ignore' });
  }
  const env = { ...process.env, SLURM_CONF: conf };
  for (const daemon of ['slurmctld', 'slurmd']) {
    const r = spawnSync(daemon, ['-f', conf], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${daemon} did not start: ${r.stderr}`);
  }
  const pid = (name: string) => (existsSync(join(dir, name)) ? Number(readFileSync(join(dir, name), 'utf8')) : 0);
  return {
    conf,
    log: () => ['slurmctld.log', 'slurmd.log'].map((f) => (existsSync(join(dir, f)) ? `${f}:\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-30).join('\n')}` : '')).join('\n'),
    stop: () => {
      for (const name of ['slurmd.pid', 'slurmctld.pid']) {
        try {
          if (pid(name)) process.kill(pid(name), 'SIGTERM');
        } catch {
          // already gone
        }
      }
      if (startedMunge) spawnSync('pkill', ['-x', 'munged']);
    },
  };
}

const reason = whyNot();
if (reason) console.log(`# slurm test skipped: ${reason}`);

test('the smoke suite as a 3-task Slurm array, merged by the dependent job, equals a single-machine run', { skip: reason }, async () => {
  const cluster = startCluster();
  try {
    const env = { ...process.env, SLURM_CONF: cluster.conf } as Record<string, string>;
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    // The node registers with the controller within a few seconds.
    for (let i = 0; i < 60 && !/idle/.test(spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' }).stdout); i++) await sleep(500);

    const runDir = join(tempDir('slurm-run-'), 'smoke');
    const logs = tempDir('slurm-logs-');
    const submit = spawnSync(join(ROOT, 'deploy', 'slurm', 'submit'), ['smoke', '--budget', 'smoke', '--shards', '3', '--', '--cpus-per-task=1', '--mem=1G'], {
      cwd: ROOT,
      env: { ...env, RUN_DIR: runDir, HARNESS_SLURM_LOGS: logs, HARNESS_CACHE_DIR: tempDir('slurm-cache-') },
      encoding: 'utf8',
    });
    assert.equal(submit.status, 0, submit.stderr);
    const merged = join(runDir, 'merged');
    const deadline = Date.now() + 20 * 60_000;
    while (!existsSync(join(merged, 'manifest.json'))) {
      const queue = spawnSync('squeue', ['-h', '-o', '%i %T'], { env, encoding: 'utf8' }).stdout.trim();
      if (Date.now() > deadline || (!queue && !existsSync(join(merged, 'manifest.json')))) {
        await sleep(2000);
        if (existsSync(join(merged, 'manifest.json'))) break;
        const jobLogs = spawnSync('sh', ['-c', `tail -n 20 ${logs}/*`], { encoding: 'utf8' }).stdout;
        assert.fail(`no merged run in ${merged} (queue: ${queue || 'empty'})\n${jobLogs}\n${cluster.log()}`);
      }
      await sleep(3000);
    }
    await sleep(500); // the merge writes manifest.json last
    const validate = cli(['validate', merged]);
    assert.equal(validate.status, 0, validate.stdout + validate.stderr);

    const single = join(tempDir(), 'single');
    const run = cli(['run', 'smoke', '--budget', 'smoke', '--out', single]);
    assert.equal(run.status, 0, run.stderr);
    const a = comparable(await readRows(join(merged, 'rows.csv')));
    const b = comparable(await readRows(join(single, 'rows.csv')));
    assert.ok(a.size > 100, `only ${a.size} comparable rows`);
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
    for (const [key, value] of a) {
      const other = b.get(key);
      if (typeof value === 'number' && typeof other === 'number') {
        assert.ok(Math.abs(value - other) <= 1e-9 * Math.max(1, Math.abs(value)), `${key}: ${value} (Slurm) vs ${other} (single machine)`);
      } else {
        assert.equal(value, other, key);
      }
    }
  } finally {
    cluster.stop();
  }
});
