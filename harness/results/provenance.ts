// Where a row came from: versions, commit and machine, read once per run.
import { execFileSync } from 'node:child_process';
import { cpus, release, platform, arch } from 'node:os';
import { HARNESS_ROOT, HARNESS_VERSION } from '../plan/registry.ts';

export interface Provenance {
  harness_version: string;
  git_sha: string;
  git_dirty: boolean | '';
  node_version: string;
  cpu: string;
  os: string;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: HARNESS_ROOT, stdio: ['ignore', 'pipe', 'ignore'], encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

export function readProvenance(): Provenance {
  const sha = git(['rev-parse', 'HEAD']);
  // The harness's code decides results; its package.json and lockfile change when a plugin is installed
  // into the checkout (`npm install <plugin>`), which must not mark every later run as dirty.
  const status = sha === undefined ? undefined : git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)package.json', ':(exclude)package-lock.json']);
  const cores = cpus();
  return {
    harness_version: HARNESS_VERSION,
    git_sha: sha ?? '',
    git_dirty: status === undefined ? '' : status.length > 0,
    node_version: process.version,
    cpu: `${cores[0]?.model.trim() ?? 'unknown'} × ${cores.length}`,
    os: `${platform()} ${release()} ${arch()}`,
  };
}
