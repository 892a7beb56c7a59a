// At most `concurrency` tasks run at once; up to `maxQueue` more wait in arrival order; beyond that a
// task is refused at once, so a burst of clients gets a fast 429 instead of an unbounded backlog.

export class QueueFullError extends Error {
  constructor(readonly maxQueue: number) {
    super(`the server is busy: ${maxQueue} requests are already waiting; retry shortly`);
    this.name = 'QueueFullError';
  }
}

export class RequestQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly concurrency: number, readonly maxQueue: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError(`maxQueue must be a non-negative integer, got ${maxQueue}`);
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  get runningCount(): number {
    return this.running;
  }

  /** Runs `task` when a slot is free (FIFO); throws QueueFullError when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) throw new QueueFullError(this.maxQueue);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so `running` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
