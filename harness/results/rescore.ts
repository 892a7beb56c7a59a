// `harness score`: recomputes record-based metrics of a finished run from its per-instance records,
// without running any method again (a fixed or changed metric definition).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Json, Params, ResultRow } from '../api/types.ts';
import { loadPlugin, splitQualified, type Registry } from '../plan/registry.ts';
import type { JournalEntry } from '../run/journal.ts';
import { evaluateClaims, type ClaimRow } from './claims.ts';
import { aggregate, leaderboardView, type Leaderboard } from './leaderboard.ts';
import { unitRowsChecksum, writeRunOutputs } from './outputs.ts';
import { readRunFolder } from './run-folder.ts';

export interface RescoreResult {
  outDir: string;
  board: Leaderboard;
  claims: ClaimRow[];
  rescored: number;
  unchanged: number;
  changes: string[];
}

export async function rescoreRun(registry: Registry, runDir: string, out: string): Promise<RescoreResult> {
  const { dir, manifest, rows, records } = await readRunFolder(runDir);
  const byUnit = new Map<string, ResultRow[]>();
  for (const row of rows) byUnit.set(row.unit_key, [...(byUnit.get(row.unit_key) ?? []), row]);

  let rescored = 0;
  let unchanged = 0;
  const changes: string[] = [];
  const entries: JournalEntry[] = [];
  for (const [key, unitRows] of byUnit) {
    const kept = records.get(key);
    const first = unitRows[0];
    const { plugin, local } = splitQualified(first.task);
    const record = registry.plugins.get(plugin);
    const task = record && !record.notInstalled ? (await loadPlugin(record)).tasks?.[local] : undefined;
    if (first.status !== 'ok' || !kept?.length || !task?.scoreRecords) {
      unchanged++;
      entries.push({ key, rows: unitRows, records: kept });
      continue;
    }
    const metrics = task.scoreRecords(kept, JSON.parse(first.params) as Params);
    const updated = unitRows.map((row) => {
      if (!(row.metric in metrics)) return row;
      const value = metrics[row.metric];
      const next = Number.isFinite(value) ? value : null;
      const same = next === row.value || (next !== null && row.value !== null && Math.abs(next - row.value) <= 1e-12 * Math.max(1, Math.abs(row.value)));
      if (!same) changes.push(`${row.method} ${row.params} seed ${row.seed} ${row.metric}: ${row.value} → ${next}`);
      return { ...row, value: next, reason: next === null ? `non-finite value (${value})` : '' };
    });
    rescored++;
    entries.push({ key, rows: updated, records: kept });
  }
  const newRows = entries.flatMap((e) => e.rows);
  const board = aggregate(newRows, manifest.leaderboard);
  const claims = await evaluateClaims(registry, leaderboardView(board, newRows, manifest.budget));
  const outDir = resolve(out);
  mkdirSync(outDir, { recursive: true });
  const checksums = new Map(entries.map((e) => [e.key, unitRowsChecksum(e.rows)]));
  await writeRunOutputs(outDir, {
    rows: newRows,
    entries,
    board,
    claims,
    manifest: { ...manifest, rescored_from: dir, units: manifest.units.map((u) => ({ ...u, rows_sha256: checksums.get(u.key) ?? null })) } as unknown as Json,
  });
  return { outDir, board, claims, rescored, unchanged, changes };
}
