// `harness leaderboard <rows.csv…>`: re-aggregates rows from one or several runs or shards; runs nothing
// and imports no plugin code: the claims shown are the ones `harness run` evaluated and stored (claims.csv).
import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ResultRow } from '../api/types.ts';
import { UserError } from '../errors.ts';
import { discover } from '../plan/registry.ts';
import { loadSuite } from '../plan/suite.ts';
import { CLAIM_COLUMNS, type ClaimRow } from '../results/claims.ts';
import { parseCsv, readRows } from '../results/csv.ts';
import { aggregate } from '../results/leaderboard.ts';
import { writeLeaderboard } from '../results/outputs.ts';
import { leaderboardConfig } from '../run/runner.ts';
import { collect } from './options.ts';
import { renderBoard, renderClaims } from './run.ts';

export function registerLeaderboard(program: Command): void {
  program
    .command('leaderboard')
    .description('aggregate rows.csv files (one run, several runs or shards) into a leaderboard without running anything')
    .argument('<rows...>', 'rows.csv files')
    .option('--out <dir>', 'write leaderboard.csv and leaderboard.md here (and the run\'s claims.csv, for one run)')
    .option('--allow-mixed', 'rank rows from different suite versions together', false)
    .option('--plugin <dir>', 'load a plugin from this folder (repeatable)', collect, [])
    .option('--suite <suite>', 'suite id or file defining the primary metric and groups (default: the one recorded in the run folder)')
    .action(async (files: string[], opts: { out?: string; allowMixed: boolean; plugin: string[]; suite?: string }) => {
      const rows: ResultRow[] = [];
      for (const file of files) rows.push(...(await readRows(file)));
      if (!rows.length) throw new UserError(`no rows in ${files.join(', ')}`);
      const suites = new Set(rows.map((r) => r.suite));
      if (suites.size > 1) throw new UserError(`rows come from several suites (${[...suites].join(', ')}); aggregate one suite at a time`);
      const versions = new Set(rows.map((r) => r.suite_version));
      if (versions.size > 1 && !opts.allowMixed) {
        throw new UserError(`rows come from different versions of suite "${rows[0].suite}" (${[...versions].join(', ')}); they are not comparable`, [
          'pass --allow-mixed to rank them together anyway',
        ]);
      }
      const duplicates = new Set<string>();
      const seen = new Set<string>();
      for (const row of rows) {
        const key = `${row.unit_key}\0${row.metric}`;
        if (seen.has(key)) duplicates.add(row.unit_key);
        seen.add(key);
      }
      if (duplicates.size) throw new UserError(`${duplicates.size} unit(s) appear in more than one input (e.g. ${[...duplicates][0].slice(0, 12)}); pass each run or shard once`);
      const registry = discover({ pluginDirs: opts.plugin });
      // The suite definition: --suite, else the one recorded beside the rows, else the installed one.
      const recorded = files.map((f) => join(dirname(resolve(f)), 'manifest.json')).find((f) => existsSync(f));
      const manifest = recorded ? (JSON.parse(readFileSync(recorded, 'utf8')) as { suite: { file: string } }) : undefined;
      const suiteRef = opts.suite ?? manifest?.suite.file ?? rows[0].suite;
      const resolved = loadSuite(registry, existsSync(suiteRef) ? suiteRef : rows[0].suite);
      if (!opts.allowMixed && resolved.suite.version !== rows[0].suite_version) {
        throw new UserError(`rows are from suite "${rows[0].suite}" v${rows[0].suite_version}, but the suite definition is v${resolved.suite.version}`, ['pass --allow-mixed to aggregate with it anyway']);
      }
      const board = aggregate(rows, leaderboardConfig(resolved));
      // Claims are plugin code: evaluated by `harness run` (or merge) and stored; shown here only for one run.
      const stored = files.length === 1 ? join(dirname(resolve(files[0])), 'claims.csv') : undefined;
      const claims = stored && existsSync(stored) ? await readClaims(stored) : undefined;
      process.stdout.write(`${renderBoard(board)}\n${claims ? renderClaims(claims) : ''}`);
      if (!claims) process.stdout.write(`\nclaims: not shown (${files.length > 1 ? 'they are evaluated on one whole run: `harness merge` the run folders' : 'no claims.csv beside the rows'}); this command runs no plugin code\n`);
      if (opts.out) {
        const dir = resolve(opts.out);
        mkdirSync(dir, { recursive: true });
        await writeLeaderboard(dir, board, claims);
        process.stdout.write(`\nwritten: ${dir}/leaderboard.csv, leaderboard.md${claims ? ', claims.csv' : ''}\n`);
      }
    });
}

async function readClaims(file: string): Promise<ClaimRow[]> {
  const { headers, records } = await parseCsv(readFileSync(file, 'utf8'), file);
  const missing = CLAIM_COLUMNS.filter((c) => !headers.includes(c));
  if (missing.length) throw new UserError(`${file}: not a claims.csv: missing columns ${missing.join(', ')}`);
  return records as unknown as ClaimRow[];
}
