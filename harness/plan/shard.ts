// Deterministic partition of a plan into shards, for running one suite on many machines. A unit's
// shard depends only on its task instance (task, task params, task seed), so it is stable under any
// reordering of the suite file, and all methods of an instance share a shard (and its prepare).
import { UserError } from '../errors.ts';
import { canonicalJson, sha256 } from './canonical.ts';
import type { Unit } from './expand.ts';

export interface Shard {
  index: number;
  count: number;
}

export function shardOf(unit: Unit, count: number): number {
  return parseInt(sha256(canonicalJson([unit.task, unit.taskParams, unit.taskSeed])).slice(0, 12), 16) % count;
}

export function inShard(unit: Unit, shard: Shard): boolean {
  return shardOf(unit, shard.count) === shard.index;
}

/**
 * `i/n` (0-based), or `auto`: the index from a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the
 * count from --shard-count or HARNESS_SHARD_COUNT) or a Slurm job array (SLURM_ARRAY_TASK_ID minus
 * SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT).
 */
export function parseShard(spec: string, env: NodeJS.ProcessEnv = process.env, countOption?: number): Shard {
  if (spec === 'auto') {
    if (env.JOB_COMPLETION_INDEX !== undefined) {
      const count = countOption ?? (env.HARNESS_SHARD_COUNT ? Number(env.HARNESS_SHARD_COUNT) : NaN);
      if (!Number.isInteger(count)) {
        throw new UserError('--shard auto: JOB_COMPLETION_INDEX is set but the shard count is not', [
          'pass --shard-count N (the Job\'s completions) or set HARNESS_SHARD_COUNT',
        ]);
      }
      return checked(Number(env.JOB_COMPLETION_INDEX), count, 'JOB_COMPLETION_INDEX');
    }
    if (env.SLURM_ARRAY_TASK_ID !== undefined) {
      const count = countOption ?? Number(env.SLURM_ARRAY_TASK_COUNT);
      return checked(Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0), count, 'SLURM_ARRAY_TASK_ID');
    }
    throw new UserError('--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (Slurm job array) is set');
  }
  const match = /^(\d+)\/(\d+)$/.exec(spec);
  if (!match) throw new UserError(`--shard ${spec}: expected i/n with 0 ≤ i < n (e.g. 0/4), or auto`);
  return checked(Number(match[1]), Number(match[2]), '--shard');
}

function checked(index: number, count: number, source: string): Shard {
  if (!Number.isInteger(count) || count < 1) throw new UserError(`${source}: shard count must be a positive integer, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count) throw new UserError(`${source}: shard index ${index} is outside 0…${count - 1}`);
  return { index, count };
}
