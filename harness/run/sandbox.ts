// How unit children are started: a plain `node` running the child, or, with `--sandbox`, one under
// Node's permission model (file system read-only except the scratch folder and the cache, no child
// processes, no native addons), in a network namespace of its own where the OS allows one, with an
// environment reduced to an allow-list. `describe` says what was applied and what could not be.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HARNESS_ROOT } from '../plan/registry.ts';
import type { ChildCommand } from './child-process.ts';
import type { WorkerSetup } from './protocol.ts';

const CHILD_ENTRY = new URL('./child-entry.js', import.meta.url).pathname;
const SANDBOX_ENTRY = new URL('./sandbox-entry.mjs', import.meta.url).pathname;

export interface ChildPlan {
  command: ChildCommand;
  /** One line per measure, for the run's log: what isolation was applied and what could not be. */
  describe: string[];
  /** Whether the children have no network. */
  offline: boolean;
  /** Removes what the plan made (the scratch folder). */
  cleanup(): void;
}

export interface SandboxRequest {
  setup: WorkerSetup;
  sandbox: boolean;
  /** Folders the children may read besides the harness, the plugins and the cache (e.g. --plugin DIRs). */
  readDirs?: string[];
}

/** Names of variables a sandboxed child never sees, whatever their prefix. */
const SECRET = /KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE/i;
const KEPT = /^(PATH|LANG|LANGUAGE|TZ|LC_[A-Z]+|TERM|HARNESS_[A-Z0-9_]+)$/;

/** The environment of a sandboxed child: an allow-list, secrets dropped even there, HOME and TMPDIR in its scratch folder. */
export function sandboxEnv(env: NodeJS.ProcessEnv, scratch: string): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (KEPT.test(name) && !SECRET.test(name) && value !== undefined) kept[name] = value;
  return { ...kept, HOME: scratch, TMPDIR: scratch };
}

let namespaceCheck: { works: boolean; why: string } | undefined;

/** Whether `unshare --user --map-root-user --net` can start a process here (user namespaces allowed). */
export function networkNamespace(): { works: boolean; why: string } {
  if (namespaceCheck) return namespaceCheck;
  if (process.platform !== 'linux') return (namespaceCheck = { works: false, why: `network namespaces are Linux-only (this is ${process.platform})` });
  const probe = spawnSync('unshare', ['--user', '--map-root-user', '--net', 'true'], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
  if (probe.error) return (namespaceCheck = { works: false, why: `unshare could not run: ${probe.error.message}` });
  if (probe.status !== 0) return (namespaceCheck = { works: false, why: `unshare --user --net refused: ${probe.stderr.toString().trim() || `exit ${probe.status}`}` });
  return (namespaceCheck = { works: true, why: '' });
}

let deathSignal: string[] | undefined;

/** `setpriv --pdeathsig SIGKILL` (util-linux) where it works: a unit process dies with the runner, even one
 * stuck in a synchronous loop that would never see its IPC channel close. */
function dieWithParent(): string[] {
  if (deathSignal) return deathSignal;
  const probe = process.platform === 'linux' ? spawnSync('setpriv', ['--pdeathsig', 'SIGKILL', 'true'], { stdio: 'ignore', timeout: 10_000 }) : undefined;
  return (deathSignal = probe && !probe.error && probe.status === 0 ? ['setpriv', '--pdeathsig', 'SIGKILL'] : []);
}

/** `command args…`, behind `prefix` when there is one. */
function wrapped(prefix: string[], command: string, args: string[]): { command: string; args: string[] } {
  return prefix.length ? { command: prefix[0], args: [...prefix.slice(1), command, ...args] } : { command, args };
}

export function childPlan(request: SandboxRequest): ChildPlan {
  const setupEnv = { HARNESS_CHILD_SETUP: JSON.stringify(request.setup) };
  if (!request.sandbox) {
    return { command: { ...wrapped(dieWithParent(), process.execPath, [CHILD_ENTRY]), env: { ...process.env, ...setupEnv } }, describe: [], offline: false, cleanup: () => {} };
  }
  const cacheDir = resolve(request.setup.cacheDir);
  mkdirSync(cacheDir, { recursive: true });
  const scratchRoot = join(cacheDir, 'sandbox');
  mkdirSync(scratchRoot, { recursive: true });
  const scratch = mkdtempSync(join(scratchRoot, 'unit-'));
  const dataDirs = [process.env.HARNESS_DATA_DIR, join(HARNESS_ROOT, 'data')].filter((d): d is string => !!d).map((d) => resolve(d));
  const read = [HARNESS_ROOT, join(request.setup.cwd, 'node_modules'), ...request.setup.pluginDirs, ...(request.readDirs ?? []), ...dataDirs, cacheDir]
    .filter((d) => existsSync(d))
    .map((d) => realpathSync(d));
  const artifacts = join(cacheDir, 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  const write = [artifacts, scratch].map((d) => realpathSync(d));
  const nodeArgs = [
    '--experimental-permission',
    // The module hooks (the TypeScript loader) run in a thread of their own, which Node 20 counts as a
    // worker; a worker a plugin starts has the same file-system and process restrictions.
    '--allow-worker',
    ...[...new Set(read)].map((d) => `--allow-fs-read=${d}`),
    ...[...new Set(write)].map((d) => `--allow-fs-write=${d}`),
    '--disable-warning=ExperimentalWarning',
    '--disable-warning=SecurityWarning',
    SANDBOX_ENTRY,
  ];
  const cleanup = () => rmSync(scratch, { recursive: true, force: true });
  const env = { ...sandboxEnv(process.env, scratch), ...setupEnv };
  const describe = [
    `file system: read ${[...new Set(read)].join(', ')}; write only ${write.join(', ')} (the artifact cache; scratch and HOME)`,
    'child processes and native addons: refused (Node permission model); worker threads: allowed, under the same restrictions',
    `environment: ${Object.keys(env).filter((k) => k !== 'HARNESS_CHILD_SETUP').sort().join(', ')} only`,
  ];
  const ns = networkNamespace();
  if (ns.works) {
    describe.push('network: none (a network namespace of its own, via unshare --user --net)');
    const inner = wrapped(dieWithParent(), process.execPath, nodeArgs);
    return { command: { command: 'unshare', args: ['--user', '--map-root-user', '--net', inner.command, ...inner.args], env }, describe, offline: true, cleanup };
  }
  describe.push(`network: NOT isolated (${ns.why})`);
  return { command: { ...wrapped(dieWithParent(), process.execPath, nodeArgs), env }, describe, offline: false, cleanup };
}
