// One unit child process as the parent sees it: started from a command line (plain, or sandboxed, see
// sandbox.ts), fed one job at a time over IPC, its stdout and stderr filed into the jobs' logs, its
// resident memory polled and the process killed past the limit, a timeout per job.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { FromWorker, ToWorker } from './protocol.ts';
import { BoundedLog, OutputRouter } from './unit-log.ts';

export interface ChildCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export interface ChildLimits {
  /** Resident set size (the whole process: JS heap, Buffers, wasm memory, native allocations), in MB. */
  memoryLimitMb: number;
}

/** How a job ended when its process did not answer: why, in words, for the job's row. */
export type JobLoss = { lost: 'timeout' | 'memory' | 'exit' | 'interrupted'; reason: string };

const POLL_MS = 200;

export class UnitChild {
  private stdout: OutputRouter;
  private stderr: OutputRouter;
  private stderrTail = '';
  /** The logs this process writes into, the newest last; closed once the process is gone. */
  private logs: BoundedLog[] = [];
  private poll: NodeJS.Timeout | undefined;
  private reportedRss = 0;
  /** Set when the poll killed the process for its memory. */
  private overMemory: number | undefined;
  exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  private constructor(
    readonly proc: ChildProcess,
    private readonly limits: ChildLimits,
  ) {
    this.stdout = new OutputRouter(() => undefined);
    this.stderr = new OutputRouter(() => undefined);
    proc.stdout!.on('data', (chunk: Buffer) => this.stdout.write(chunk));
    proc.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
      this.stderr.write(chunk);
    });
    proc.on('message', (message: FromWorker) => {
      if (message.type === 'rss') this.reportedRss = message.bytes;
    });
    proc.once('exit', (code, signal) => {
      this.exited = { code, signal };
      clearInterval(this.poll);
    });
    // All output read: the logs are complete.
    proc.once('close', () => {
      this.stdout.flush();
      this.stderr.flush();
      for (const log of this.logs) log.close();
      this.logs = [];
    });
    this.poll = setInterval(() => this.checkMemory(), POLL_MS);
    this.poll.unref();
  }

  static start(command: ChildCommand, limits: ChildLimits): Promise<UnitChild> {
    return new Promise((resolve, reject) => {
      const proc = spawn(command.command, command.args, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'advanced', env: command.env });
      const child = new UnitChild(proc, limits);
      const onMessage = (message: FromWorker) => {
        if (message.type !== 'ready') return;
        proc.off('message', onMessage);
        proc.off('exit', onExit);
        proc.off('error', onError);
        resolve(child);
      };
      const onError = (error: Error) => {
        proc.off('exit', onExit);
        reject(error);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        proc.off('error', onError);
        reject(new Error(`the unit process ended before it was ready (${signal ? `signal ${signal}` : `exit code ${code}`})${child.lastError()}`));
      };
      proc.on('message', onMessage);
      proc.once('exit', onExit);
      proc.once('error', onError);
    });
  }

  /** The process's resident set size in bytes: /proc on Linux, else what the process last reported. */
  rss(): number {
    if (this.proc.pid === undefined) return 0;
    try {
      const status = readFileSync(`/proc/${this.proc.pid}/status`, 'latin1');
      const match = /VmRSS:\s+(\d+)\s+kB/.exec(status);
      if (match) return Number(match[1]) * 1024;
    } catch {
      // not Linux, or the process is gone
    }
    return this.reportedRss;
  }

  private checkMemory() {
    if (this.exited || this.overMemory !== undefined) return;
    const rss = this.rss();
    if (rss > this.limits.memoryLimitMb * 1024 * 1024) {
      this.overMemory = rss;
      this.kill();
    }
  }

  /** The end of what the process wrote to stderr, for a message about why it died. */
  lastError(): string {
    const lines = this.stderrTail.replace(/\u0000\u0001harness-job:\d+\u0001\u0000/g, '').trim().split('\n').filter(Boolean);
    return lines.length ? `: ${lines.slice(-3).join(' | ').slice(0, 600)}` : '';
  }

  kill(): void {
    if (!this.exited) this.proc.kill('SIGKILL');
  }

  /** Runs one job; its output goes to `log`. Resolves with the answer `isAnswer` picks, or how it was lost. */
  run(
    job: ToWorker & { seq: number },
    log: BoundedLog | undefined,
    options: {
      timeoutMs: number;
      timeoutReason: string;
      signal: AbortSignal;
      onMessage?: (message: FromWorker) => void;
      isAnswer: (message: FromWorker) => boolean;
      /** The caller closes the log (one log shared by several jobs); else it is closed when the job after next starts or the process ends. */
      keepLogOpen?: boolean;
    },
  ): Promise<{ answer: FromWorker } | JobLoss> {
    if (log) {
      if (!options.keepLogOpen && !this.logs.includes(log)) {
        // Output of the job before may still be in the pipe: its log stays open until the next job starts.
        while (this.logs.length > 1) this.logs.shift()!.close();
        this.logs.push(log);
      }
      this.stdout.expect(job.seq, log);
      this.stderr.expect(job.seq, log);
    }
    return new Promise((resolve) => {
      let done = false;
      const finish = (result: { answer: FromWorker } | JobLoss) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        this.proc.off('exit', onExit);
        options.signal.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const onMessage = (message: FromWorker) => {
        if (options.isAnswer(message)) finish({ answer: message });
        else options.onMessage?.(message);
      };
      const onExit = () => {
        if (this.overMemory !== undefined) {
          return finish({ lost: 'memory', reason: `exceeded the memory limit of ${this.limits.memoryLimitMb} MB (rss ${Math.round(this.overMemory / 2 ** 20)} MB)` });
        }
        if (options.signal.aborted) return finish({ lost: 'interrupted', reason: 'interrupted' });
        const { code, signal } = this.exited ?? { code: null, signal: null };
        const how = signal ? `was killed by signal ${signal}` : `exited with code ${code}`;
        finish({ lost: 'exit', reason: `its process ${how} before it finished (process.exit, process.kill or a crash)${this.lastError()}` });
      };
      const onAbort = () => {
        this.kill();
        finish({ lost: 'interrupted', reason: 'interrupted' });
      };
      const timer = setTimeout(() => {
        this.kill();
        finish({ lost: 'timeout', reason: options.timeoutReason });
      }, options.timeoutMs);
      if (this.exited) return onExit();
      this.proc.on('message', onMessage);
      this.proc.once('exit', onExit);
      options.signal.addEventListener('abort', onAbort, { once: true });
      try {
        this.proc.send(job);
      } catch (error) {
        finish({ lost: 'exit', reason: `could not send the job to its process: ${(error as Error).message}` });
      }
    });
  }

  /** Ends the process and waits until it is gone and its output filed. */
  async stop(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      const closed = new Promise((resolve) => this.proc.once('close', resolve));
      this.kill();
      await closed;
    }
  }
}
