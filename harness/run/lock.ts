// Exclusive locks between processes: a lock file created with O_EXCL that names its holder (pid, host,
// process start, command). A lock whose holder died on this host is stale and taken over; a lock held
// by a live process is refused (run folders) or waited for (cache entries being computed).
import { closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { threadId } from 'node:worker_threads';
import { UserError } from '../errors.ts';

export interface LockHolder {
  pid: number;
  host: string;
  /** The holder's process start time as the kernel counts it (Linux), so a reused pid is not mistaken for the holder. */
  processStart: string;
  thread: number;
  since: string;
  command: string;
}

export interface Lock {
  readonly file: string;
  release(): void;
}

/** Lock files this process holds now (a lock file naming this process that is not here was left by a failed call). */
const held = new Set<string>();

function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name in field 2 may contain spaces, so count from its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch {
    return '';
  }
}

function me(): LockHolder {
  return {
    pid: process.pid,
    host: hostname(),
    processStart: processStart(process.pid),
    thread: threadId,
    since: new Date().toISOString(),
    command: process.argv.slice(2).join(' '),
  };
}

function readHolder(file: string): LockHolder | undefined | 'gone' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder?.pid === 'number' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined; // being written, or damaged
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Whether the holder of a lock is certainly gone: a process of this host that no longer runs (or whose
 * pid now belongs to a process started later), or this very process when it no longer holds the lock. */
export function holderIsDead(holder: LockHolder, file: string): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !held.has(file) && holder.processStart === processStart(process.pid);
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const start = processStart(holder.pid);
  return !!start && !!holder.processStart && start !== holder.processStart;
}

/** Takes the lock, or returns its holder when someone else has it. A stale lock is removed first. */
export function tryLock(file: string): Lock | { holder: LockHolder | undefined } {
  for (let attempt = 0; attempt < 5; attempt++) {
    const holder = me();
    let fd: number;
    try {
      fd = openSync(file, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const current = readHolder(file);
      if (current === 'gone') continue;
      if (current === undefined) {
        // Created but never written: its creator died between the two steps (a writer needs microseconds).
        if (ageMs(file) < 10_000) return { holder: undefined };
      } else if (!holderIsDead(current, file)) {
        return { holder: current };
      }
      breakStale(file, current);
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(holder));
    } finally {
      closeSync(fd);
    }
    held.add(file);
    const release = () => {
      if (!held.delete(file)) return;
      process.off('exit', release);
      const current = readHolder(file);
      if (current !== 'gone' && current?.pid === holder.pid && current.since === holder.since && current.thread === holder.thread) {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      }
    };
    process.on('exit', release);
    return { file, release };
  }
  return { holder: undefined };
}

/** Removes a stale lock: moved aside first, and put back if what was moved is not the stale holder's
 * (another process took it over in between). */
function breakStale(file: string, stale: LockHolder | undefined) {
  const aside = `${file}.${process.pid}.${threadId}.stale`;
  try {
    renameSync(file, aside);
  } catch {
    return;
  }
  const moved = readHolder(aside);
  if (moved !== 'gone' && moved !== undefined && (moved.pid !== stale?.pid || moved.since !== stale?.since)) {
    try {
      renameSync(aside, file);
    } catch {
      // leave it: the next attempt reports the lock as it is
    }
    return;
  }
  try {
    unlinkSync(aside);
  } catch {
    // gone
  }
}

export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another process (its lock file is being written or cannot be read)';
  return `process ${holder.pid} on ${holder.host} since ${holder.since}${holder.command ? ` (harness ${holder.command})` : ''}`;
}

export const RUN_LOCK_FILE = '.harness-run.lock';

/** The exclusive right to write a run folder; a second run on the same folder is refused, naming the holder. */
export function lockRunFolder(dir: string): Lock {
  const file = `${dir}/${RUN_LOCK_FILE}`;
  const lock = tryLock(file);
  if ('release' in lock) return lock;
  throw new UserError(`--out ${dir} is in use by another run: ${describeHolder(lock.holder)}`, [
    `Wait for it to finish, or choose another --out. If that process is gone, delete ${file}.`,
  ]);
}

/** Runs `fn` holding the lock file, waiting while another live process holds it. */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, pollMs = 100): Promise<T> {
  for (;;) {
    const lock = tryLock(file);
    if ('release' in lock) {
      try {
        return await fn();
      } finally {
        lock.release();
      }
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
