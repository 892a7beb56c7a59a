// `node --import tsx scripts/fuzz-inputs.ts [--mutants 300] [--seed 1] [--plan-sample 50] [--run-sample 5] [--only suite|plugin|manifest|rows] [--json]`
// Seeded mutants of the four inputs a user hands the harness — a suite (YAML), a plugin.json, a run
// folder's manifest.json and a rows.csv — fed to the real CLI in child processes. Counts:
//   crashes: an exit code outside the command's own (validate 0/1, plan 0/2, run 0/1/2), a stack trace,
//            or "unexpected failure";
//   hangs:   a process that did not finish within its timeout;
//   bad inputs not answered with exit 2: mutants `validate` rejects that `plan`/`run` still accept.
// `validate` takes many files at once, so mutants are checked in batches (a batch that crashes is rerun
// file by file to name the culprit); `plan` and `run` take one suite each, so a seeded sample of the
// mutants goes through them.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'harness.js');
const PLUGIN = join(ROOT, 'test', 'fixtures', 'pi-plugin');
const SUITE = join(PLUGIN, 'suites', 'fixture.yaml');

export interface FuzzOptions {
  mutants: number;
  seed: number;
  planSample: number;
  runSample: number;
  batch: number;
  timeoutMs: number;
  /** Only this kind of input (suite, plugin, manifest, rows); the seed then drives that kind alone. */
  only?: string;
  /** Leave the mutants on disk (to look at one). */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface KindReport {
  mutants: number;
  /** Answers of validate: accepted (exit 0) and rejected (exit 1 with the file listed as invalid). */
  accepted: number;
  rejected: number;
  planned: number;
  ran: number;
  crashes: string[];
  hangs: string[];
  /** Mutants validate rejects that plan or run accepted (exit 0), or answered with another code than 2. */
  notExit2: string[];
}

// ---- seeded randomness (mulberry32)

export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof rng>;

// ---- mutation operators

const ODD_VALUES: unknown[] = [
  null, -1, 0, 1.5, 1e308, 3000000, '', '../../../etc/passwd', '/etc/passwd', [], {}, true, 'x'.repeat(5000), [null], { '': '' },
  'fixture-pi/estimate-pi', 2 ** 53 + 1, 'smoke', 'max', { values: [] }, { values: [1, 'a', null] }, -0.5, '\u0000', '=1+1',
];

/** Paths to every value in a JSON-like tree. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function mutateTree(tree: unknown, r: Rng): unknown {
  const root = structuredClone(tree) as Record<string, unknown>;
  const all = paths(root).filter((p) => p.length > 0);
  const steps = 1 + r.int(3);
  for (let s = 0; s < steps && all.length; s++) {
    const path = r.pick(all);
    let parent: any = root;
    for (const key of path.slice(0, -1)) parent = parent?.[key];
    if (parent === null || typeof parent !== 'object') continue;
    const key = path[path.length - 1];
    switch (r.int(5)) {
      case 0:
        if (Array.isArray(parent)) parent.splice(Number(key), 1);
        else delete parent[key];
        break;
      case 1:
        parent[key] = structuredClone(r.pick(ODD_VALUES));
        break;
      case 2:
        if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(key)]));
        else parent[`${String(key)}${r.pick(['', 'x', '_'])}${r.int(10)}`] = structuredClone(parent[key]);
        break;
      case 3: {
        const v = parent[key];
        parent[key] = typeof v === 'number' ? String(v) : typeof v === 'string' ? Number(v) || v.length : Array.isArray(v) ? v[0] ?? null : [v];
        break;
      }
      default:
        parent[key] = structuredClone(r.pick(ODD_VALUES));
    }
  }
  return root;
}

const TEXT_INSERTS = {
  yaml: ['*a', '&a ', '<<: *a\n', ': :', '\t', '{', '[', '"', "'", '\u0000', '1e309', '-1', '.inf', '.nan', '!!binary ', '!!js/function ', '? ', '---\n', '...\n', '%YAML 1.1\n', '\n  - ', '#', '|\n', 'id: dup\n'],
  json: ['1e309', '-0', '"\\ud800"', ',', '}', ']', 'null', '{', '"', '\u0000', '"__proto__": {}, ', '[[[[[[[[', '1', 'true'],
  csv: ['"', ',', '\n', 'NaN', 'Infinity', '1e309', '', '=cmd|x', '\r\n', '""', '-', 'null', '\u0000'],
} as const;

function mutateText(text: string, r: Rng, kind: keyof typeof TEXT_INSERTS): string {
  const at = r.int(text.length + 1);
  switch (r.int(6)) {
    case 0:
      return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + r.int(40)));
    case 1:
      return text.slice(0, at) + r.pick(TEXT_INSERTS[kind]) + text.slice(at);
    case 2: {
      const lines = text.split('\n');
      const i = r.int(lines.length);
      lines.splice(i, 0, lines[r.int(lines.length)]);
      return lines.join('\n');
    }
    case 3: {
      const lines = text.split('\n');
      const i = r.int(lines.length);
      const j = r.int(lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    case 4:
      return text.slice(0, at);
    default: {
      const lines = text.split('\n');
      lines.splice(r.int(lines.length), 1);
      return lines.join('\n');
    }
  }
}

const LAUGHS = `${['lol0: &lol0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...Array.from({ length: 8 }, (_, i) => `lol${i + 1}: &lol${i + 1} [${Array(9).fill(`*lol${i}`).join(',')}]`)].join('\n')}\n`;

export function mutateSuite(base: string, r: Rng): string {
  const choice = r.int(10);
  if (choice === 0) return base + LAUGHS;
  if (choice < 5) return mutateText(base, r, 'yaml');
  return stringifyYaml(mutateTree(parseYaml(base), r));
}

function mutateJson(base: string, r: Rng): string {
  return r.int(2) ? mutateText(base, r, 'json') : JSON.stringify(mutateTree(JSON.parse(base), r), null, 2);
}

function mutateCsv(base: string, r: Rng): string {
  if (r.int(3)) return mutateText(base, r, 'csv');
  // A cell of a data row replaced.
  const lines = base.split('\n');
  const i = 1 + r.int(Math.max(1, lines.length - 2));
  const cells = lines[i].split(',');
  cells[r.int(cells.length)] = r.pick(TEXT_INSERTS.csv);
  lines[i] = cells.join(',');
  return lines.join('\n');
}

// ---- running the CLI

interface CliAnswer {
  code: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

function harness(args: string[], env: Record<string, string>, timeoutMs: number): Promise<CliAnswer> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, hung });
    });
  });
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

function crashed(answer: CliAnswer, allowed: number[]): string | undefined {
  if (answer.hung) return undefined;
  if (!allowed.includes(answer.code ?? -1)) return `exit ${answer.code}`;
  if (STACK.test(answer.stderr)) return 'stack trace';
  if (/unexpected failure/.test(answer.stderr)) return 'unexpected failure';
  return undefined;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.slice(0, 200) ?? '';
}

/** validate in batches; returns each file's verdict ('ok' | 'invalid'), recording crashes and hangs. */
async function validateAll(files: string[], extra: string[], env: Record<string, string>, options: FuzzOptions, report: KindReport): Promise<Map<string, 'ok' | 'invalid'>> {
  const verdicts = new Map<string, 'ok' | 'invalid'>();
  const check = async (batch: string[], single: boolean): Promise<void> => {
    const answer = await harness(['validate', ...batch, ...extra], env, options.timeoutMs * (single ? 1 : 4));
    const crash = crashed(answer, [0, 1]);
    const missing = batch.filter((f) => !new RegExp(`^(ok|invalid) +${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').test(answer.stdout));
    if (single) {
      if (answer.hung) report.hangs.push(`validate ${batch[0]}`);
      else if (crash || missing.length) report.crashes.push(`validate ${batch[0]}: ${crash ?? 'no verdict'}: ${firstLine(answer.stderr)}`);
    } else if (answer.hung || crash || missing.length) {
      for (const file of batch) await check([file], true);
      return;
    }
    for (const line of answer.stdout.split('\n')) {
      const m = /^(ok|invalid) +(.*)$/.exec(line);
      if (m) verdicts.set(m[2], m[1] as 'ok' | 'invalid');
    }
  };
  for (let i = 0; i < files.length; i += options.batch) {
    await check(files.slice(i, i + options.batch), false);
    options.log?.(`  validate ${Math.min(i + options.batch, files.length)}/${files.length}`);
  }
  for (const v of verdicts.values()) v === 'ok' ? report.accepted++ : report.rejected++;
  return verdicts;
}

/** plan (and run) on a sample; a mutant validate rejected must be exit 2, one it accepted exit 0. */
async function planSample(
  cases: Array<{ id: string; args: string[]; verdict: 'ok' | 'invalid' | undefined }>,
  command: 'plan' | 'run',
  env: Record<string, string>,
  options: FuzzOptions,
  report: KindReport,
) {
  const allowed = command === 'plan' ? [0, 2] : [0, 1, 2];
  for (const c of cases) {
    const answer = await harness([command, ...c.args], env, options.timeoutMs * (command === 'run' ? 4 : 1));
    command === 'plan' ? report.planned++ : report.ran++;
    if (answer.hung) {
      report.hangs.push(`${command} ${c.id}`);
      continue;
    }
    const crash = crashed(answer, allowed);
    if (crash) {
      report.crashes.push(`${command} ${c.id}: ${crash}: ${firstLine(answer.stderr)}`);
      continue;
    }
    if (c.verdict === 'invalid' && answer.code === 0 && command === 'plan') {
      // validate checks every budget, plan one: the problem may be one of another budget's.
      const others = await Promise.all(['standard', 'full'].map((b) => harness([command, ...c.args, '--budget', b], env, options.timeoutMs)));
      if (others.some((o) => o.code === 2)) continue;
    }
    if (c.verdict === 'invalid' && answer.code !== 2) report.notExit2.push(`${command} ${c.id}: validate rejects it, ${command} exit ${answer.code}`);
    if (c.verdict === 'ok' && answer.code === 2) report.notExit2.push(`${command} ${c.id}: validate accepts it, ${command} exit 2: ${firstLine(answer.stderr)}`);
  }
}

function emptyReport(mutants: number): KindReport {
  return { mutants, accepted: 0, rejected: 0, planned: 0, ran: 0, crashes: [], hangs: [], notExit2: [] };
}

export async function fuzzInputs(options: FuzzOptions): Promise<Record<string, KindReport>> {
  const log = options.log ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), 'harness-fuzz-'));
  const env = { HARNESS_CACHE_DIR: join(work, 'cache') };
  const r = rng(options.seed);
  const sample = <T>(xs: T[], n: number): T[] => {
    const pool = [...xs];
    const out: T[] = [];
    while (out.length < n && pool.length) out.push(pool.splice(r.int(pool.length), 1)[0]);
    return out;
  };
  const reports: Record<string, KindReport> = {};
  try {
    // A real run folder to mutate manifests and rows of.
    const base = join(work, 'base-run');
    const made = await harness(['run', SUITE, '--plugin', PLUGIN, '--out', base, '--jobs', '1'], env, options.timeoutMs * 6);
    if (made.code !== 0) throw new Error(`the base run failed: ${made.stderr}`);

    const want = (kind: string) => !options.only || options.only === kind;
    // 1. Suites.
    if (want('suite')) {
    log('suites');
    const suiteText = readFileSync(SUITE, 'utf8');
    const suites: string[] = [];
    for (let i = 0; i < options.mutants; i++) {
      const file = join(work, 'suites', `suite-${i}.yaml`);
      mkdirSync(join(work, 'suites'), { recursive: true });
      writeFileSync(file, mutateSuite(suiteText, r));
      suites.push(file);
    }
    reports.suite = emptyReport(suites.length);
    const suiteVerdicts = await validateAll(suites, ['--plugin', PLUGIN], env, options, reports.suite);
    const planned = sample(suites, options.planSample);
    log(`  plan on ${planned.length}`);
    await planSample(planned.map((f) => ({ id: f, args: [f, '--plugin', PLUGIN], verdict: suiteVerdicts.get(f) })), 'plan', env, options, reports.suite);
    const runnable = sample(planned.filter((f) => suiteVerdicts.get(f) === 'ok'), options.runSample);
    log(`  run on ${runnable.length}`);
    await planSample(runnable.map((f, i) => ({ id: f, args: [f, '--plugin', PLUGIN, '--budget', 'smoke', '--jobs', '1', '--out', join(work, `run-${i}`)], verdict: 'ok' as const })), 'run', env, options, reports.suite);

    }
    // 2. plugin.json.
    if (want('plugin')) {
    log('plugin.json');
    const manifestText = readFileSync(join(PLUGIN, 'plugin.json'), 'utf8');
    const plugins: string[] = [];
    for (let i = 0; i < options.mutants; i++) {
      const dir = join(work, 'plugins', `plugin-${i}`);
      cpSync(PLUGIN, dir, { recursive: true });
      writeFileSync(join(dir, 'plugin.json'), mutateJson(manifestText, r));
      plugins.push(join(dir, 'plugin.json'));
    }
    reports.plugin = emptyReport(plugins.length);
    const pluginVerdicts = await validateAll(plugins, [], env, options, reports.plugin);
    const pluginPlans = sample(plugins, options.planSample);
    log(`  plan on ${pluginPlans.length}`);
    await planSample(
      pluginPlans.map((f) => ({ id: f, args: [join(f, '..', 'suites', 'fixture.yaml'), '--plugin', join(f, '..')], verdict: pluginVerdicts.get(f) })),
      'plan',
      env,
      options,
      reports.plugin,
    );

    }
    // 3. manifest.json of a run folder.
    if (want('manifest')) {
    log('manifest.json');
    const runManifest = readFileSync(join(base, 'manifest.json'), 'utf8');
    const folders: string[] = [];
    for (let i = 0; i < options.mutants; i++) {
      const dir = join(work, 'manifests', `run-${i}`);
      cpSync(base, dir, { recursive: true });
      writeFileSync(join(dir, 'manifest.json'), mutateJson(runManifest, r));
      folders.push(dir);
    }
    reports.manifest = emptyReport(folders.length);
    await validateAll(folders, ['--plugin', PLUGIN], env, options, reports.manifest);

    }
    // 4. rows.csv.
    if (want('rows')) {
    log('rows.csv');
    const rowsText = readFileSync(join(base, 'rows.csv'), 'utf8');
    const rows: string[] = [];
    for (let i = 0; i < options.mutants; i++) {
      const file = join(work, 'rows', `rows-${i}.csv`);
      mkdirSync(join(work, 'rows'), { recursive: true });
      writeFileSync(file, mutateCsv(rowsText, r));
      rows.push(file);
    }
    reports.rows = emptyReport(rows.length);
    await validateAll(rows, [], env, options, reports.rows);
    }
  } finally {
    if (options.keep) log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
  return reports;
}

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options: FuzzOptions = {
    mutants: argValue('--mutants', 300),
    seed: argValue('--seed', 1),
    planSample: argValue('--plan-sample', 50),
    runSample: argValue('--run-sample', 5),
    batch: argValue('--batch', 50),
    timeoutMs: argValue('--timeout', 60) * 1000,
    keep: process.argv.includes('--keep'),
    only: process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const started = performance.now();
  const reports = await fuzzInputs(options);
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  process.stdout.write(`\nseed ${options.seed}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`kind       mutants  validate ok/rejected  plan  run  crashes  hangs  not exit 2\n`);
  for (const [kind, r] of Object.entries(reports)) {
    process.stdout.write(`${kind.padEnd(10)} ${String(r.mutants).padStart(7)}  ${`${r.accepted}/${r.rejected}`.padStart(20)}  ${String(r.planned).padStart(4)}  ${String(r.ran).padStart(3)}  ${String(r.crashes.length).padStart(7)}  ${String(r.hangs.length).padStart(5)}  ${String(r.notExit2.length).padStart(10)}\n`);
    for (const line of [...r.crashes, ...r.hangs, ...r.notExit2]) process.stdout.write(`  ${line}\n`);
  }
  const bad = Object.values(reports).reduce((n, r) => n + r.crashes.length + r.hangs.length + r.notExit2.length, 0);
  process.exitCode = bad ? 1 : 0;
}
