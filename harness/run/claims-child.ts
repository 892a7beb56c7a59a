// The claims of a run, each checked in a child process with a timeout and the memory limit: a check that
// throws, hangs, ends its process or runs out of memory is an `error` row with the reason, and the run's
// other files are already written by then.
import type { BudgetName, ResultRow } from '../api/types.ts';
import type { Registry } from '../plan/registry.ts';
import { planClaims, type ClaimRow } from '../results/claims.ts';
import type { Leaderboard } from '../results/leaderboard.ts';
import { UnitChild, type ChildCommand } from './child-process.ts';
import type { FromWorker } from './protocol.ts';
import { BoundedLog } from './unit-log.ts';
import { childPlan } from './sandbox.ts';
import { join, resolve } from 'node:path';

export interface IsolatedClaimsOptions {
  command: ChildCommand;
  memoryLimitMb: number;
  /** Per claim. */
  timeoutMs: number;
  /** Where what the checks print goes. */
  logFile: string;
  signal?: AbortSignal;
  /** Why a plugin's claims cannot be checked on this run's units (some are missing), by plugin id. */
  unitsMissing?: (plugin: string) => string | undefined;
}

export const CLAIM_TIMEOUT_MS = 120_000;

export async function evaluateClaimsIsolated(registry: Registry, board: Leaderboard, rows: ResultRow[], budget: BudgetName, options: IsolatedClaimsOptions): Promise<ClaimRow[]> {
  const planned = planClaims(registry, board.config.suite, budget, options.unitsMissing);
  const result: ClaimRow[] = [];
  const log = new BoundedLog(options.logFile);
  const signal = options.signal ?? new AbortController().signal;
  let child: UnitChild | undefined;
  let seq = 0;
  try {
    for (const claim of planned) {
      if ('row' in claim) {
        result.push(claim.row);
        continue;
      }
      const row = (status: ClaimRow['status'], measured: string, why: string): ClaimRow => ({ ...claim.pending, measured, status, why });
      if (signal.aborted) {
        result.push(row('not-checked', '', 'interrupted before this claim was checked'));
        continue;
      }
      try {
        child ??= await UnitChild.start(options.command, { memoryLimitMb: options.memoryLimitMb });
      } catch (error) {
        result.push(row('error', '', `the claim's process failed to start: ${(error as Error).message}`));
        continue;
      }
      const id = ++seq;
      log.write(`[harness] claim ${claim.pending.claim}\n`);
      const outcome = await child.run(
        { type: 'claim', seq: id, request: { plugin: claim.record.manifest.id, claim: claim.claimId, board, rows, budget } },
        log,
        {
          timeoutMs: options.timeoutMs,
          timeoutReason: `the check did not finish within ${options.timeoutMs / 1000} s`,
          signal,
          isAnswer: (m: FromWorker) => m.type === 'claim-done' && m.seq === id,
          keepLogOpen: true,
        },
      );
      if ('answer' in outcome) {
        const answer = (outcome.answer as Extract<FromWorker, { type: 'claim-done' }>).outcome;
        result.push(row(answer.status, answer.measured, answer.why));
      } else {
        result.push(row(outcome.lost === 'interrupted' ? 'not-checked' : 'error', '', outcome.lost === 'exit' ? `the check's process ended: ${outcome.reason}` : outcome.reason));
        await child.stop();
        child = undefined;
      }
    }
  } finally {
    await child?.stop();
    log.close();
  }
  return result;
}

/** A claim checker for commands that check claims on rows they did not compute (`merge`): each claim in
 * a child process with the default timeout and memory limit, like a run's. */
export function isolatedClaimChecker(registry: Registry, pluginDirs: string[], cacheDir: string, memoryLimitMb: number) {
  return async (board: Leaderboard, rows: ResultRow[], budget: BudgetName, outDir: string): Promise<ClaimRow[]> => {
    const children = childPlan({ setup: { pluginDirs: pluginDirs.map((d) => resolve(d)), cwd: process.cwd(), backend: 'auto', cacheDir, reportRss: process.platform !== 'linux' }, sandbox: false });
    try {
      return await evaluateClaimsIsolated(registry, board, rows, budget, { command: children.command, memoryLimitMb, timeoutMs: CLAIM_TIMEOUT_MS, logFile: join(outDir, 'logs', 'claims.log') });
    } finally {
      children.cleanup();
    }
  };
}
