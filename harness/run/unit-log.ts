// What a unit prints (console.log, process.stdout/stderr, native code writing to fd 1/2) goes to a log
// file of its own in the run folder, never to the harness's terminal. Each log is bounded: the first
// lines are kept, the rest only counted, and the count is written at the end, so a plugin that prints
// without end costs neither memory nor disk.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { OUTPUT_MARK_END, OUTPUT_MARK_START } from './protocol.ts';

export const LOG_MAX_BYTES = 1 << 20;
export const LOG_MAX_LINES = 10_000;

export class BoundedLog {
  private fd: number | undefined;
  private keptBytes = 0;
  private keptLines = 0;
  private droppedBytes = 0;
  private droppedLines = 0;
  private droppedEndsLine = true;
  private closed = false;
  /** The last bytes written, kept for error messages (e.g. why a child died). */
  private recent = '';

  constructor(
    readonly file: string,
    private readonly limits = { bytes: LOG_MAX_BYTES, lines: LOG_MAX_LINES },
  ) {}

  write(chunk: Buffer | string): void {
    if (this.closed) return;
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!data.length) return;
    this.recent = (this.recent + data.subarray(Math.max(0, data.length - 2048)).toString('utf8')).slice(-2048);
    if (this.droppedBytes === 0) {
      // Keep whole lines up to the limits; what is left over is dropped (and counted).
      let end = 0;
      while (end < data.length && this.keptLines < this.limits.lines && this.keptBytes + end < this.limits.bytes) {
        const newline = data.indexOf(10, end);
        const next = newline === -1 ? data.length : newline + 1;
        if (this.keptBytes + next > this.limits.bytes) break;
        if (newline !== -1) this.keptLines++;
        end = next;
      }
      if (end > 0) {
        this.append(data.subarray(0, end));
        this.keptBytes += end;
      }
      data = data.subarray(end);
      if (!data.length) return;
    }
    this.droppedBytes += data.length;
    this.droppedEndsLine = data[data.length - 1] === 10;
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) this.droppedLines++;
  }

  private append(data: Buffer) {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.fd = openSync(this.file, 'a');
    }
    writeSync(this.fd, data);
  }

  /** The tail of what was written (kept or not). */
  tail(): string {
    return this.recent;
  }

  get written(): boolean {
    return this.fd !== undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.droppedBytes) {
      const lines = this.droppedLines + (this.droppedEndsLine ? 0 : 1); // an unfinished last line counts as one
      this.append(
        Buffer.from(`\n[harness] ${lines} more line(s) (${this.droppedBytes} bytes) not kept: a unit's log keeps its first ${this.limits.lines} lines or ${this.limits.bytes} bytes\n`),
      );
    }
    if (this.fd !== undefined) closeSync(this.fd);
  }
}

/** Splits one output stream of a child into the logs of its jobs, by the marks the child writes when a
 * job starts (see `outputMark`). Output before the first mark goes to `fallback`. */
export class OutputRouter {
  private pending = Buffer.alloc(0);
  private current: BoundedLog | undefined;
  private readonly targets = new Map<number, BoundedLog>();

  constructor(private readonly fallback: () => BoundedLog | undefined) {}

  /** Output after the mark of job `seq` goes to `log`. */
  expect(seq: number, log: BoundedLog): void {
    this.targets.set(seq, log);
  }

  write(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    const start = Buffer.from(OUTPUT_MARK_START);
    const end = Buffer.from(OUTPUT_MARK_END);
    for (;;) {
      const at = data.indexOf(start);
      if (at === -1) break;
      const close = data.indexOf(end, at + start.length);
      if (close === -1) {
        this.emit(data.subarray(0, at));
        this.pending = Buffer.from(data.subarray(at));
        return;
      }
      this.emit(data.subarray(0, at));
      const seq = Number(data.subarray(at + start.length, close).toString('latin1'));
      this.current = this.targets.get(seq);
      this.targets.delete(seq);
      data = data.subarray(close + end.length);
    }
    // A mark may be cut across chunks: keep a trailing NUL (the mark's first byte) for the next chunk.
    const nul = data.lastIndexOf(0);
    if (nul !== -1 && data.length - nul < start.length) {
      const head = data.subarray(nul);
      if (start.subarray(0, head.length).equals(head)) {
        this.emit(data.subarray(0, nul));
        this.pending = Buffer.from(head);
        return;
      }
    }
    this.emit(data);
  }

  private emit(data: Buffer) {
    if (!data.length) return;
    (this.current ?? this.fallback())?.write(data);
  }

  flush(): void {
    if (this.pending.length) this.emit(this.pending);
    this.pending = Buffer.alloc(0);
  }
}

/** The log file of a unit: `<run>/logs/<unit key>.log`. */
export function unitLogFile(logDir: string, key: string): string {
  return `${logDir}/${key}.log`;
}
