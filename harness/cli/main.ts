// The `harness` command line. Each command lives in its own file; this one wires them and turns
// errors meant for the user into one clear message and a non-zero exit code.
import { Command, CommanderError } from 'commander';
import { UserError } from '../errors.ts';
import { HARNESS_VERSION } from '../plan/registry.ts';
import { registerBench } from './bench.ts';
import { registerCompare } from './compare.ts';
import { registerExport } from './export.ts';
import { registerLeaderboard } from './leaderboard.ts';
import { registerList } from './list.ts';
import { registerMerge } from './merge.ts';
import { registerNew } from './new.ts';
import { registerPlan } from './plan.ts';
import { registerPlugin } from './plugin.ts';
import { registerPublish } from './publish.ts';
import { registerReproduce } from './reproduce.ts';
import { registerRun } from './run.ts';
import { registerScore } from './score.ts';
import { registerServe } from './serve.ts';
import { registerSign } from './sign.ts';
import { registerValidate } from './validate.ts';

export function buildProgram(): Command {
  const program = new Command('harness')
    .description('Run standardized ML-research suites with paper plugins; write CSV leaderboards and check the papers\' claims.')
    .version(HARNESS_VERSION)
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const register of [registerRun, registerPlan, registerList, registerLeaderboard, registerCompare, registerMerge, registerPublish, registerReproduce, registerScore, registerValidate, registerSign, registerBench, registerNew, registerPlugin, registerServe, registerExport]) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    return reportError(error);
  }
}

export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 2; // commander already printed the message
  }
  if (error instanceof UserError) {
    process.stderr.write(`error: ${error.message}\n${error.details.map((d) => `  ${d}\n`).join('')}`);
    return 2;
  }
  const e = error as Error;
  process.stderr.write(`error: ${e?.message ?? String(error)}\n`);
  if (process.env.HARNESS_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
  else process.stderr.write('  (unexpected failure; rerun with HARNESS_DEBUG=1 to see where it happened)\n');
  return 1;
}
