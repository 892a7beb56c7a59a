// Errors meant for the person at the terminal: printed as one clear message, never with a stack.

export class UserError extends Error {
  constructor(message: string, readonly details: string[] = []) {
    super(message);
    this.name = 'UserError';
  }
}

/** A dataset a unit needs is not on this machine; the unit is skipped, not failed. */
export class DatasetMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetMissingError';
  }
}

/** Suggests the closest known name for a typo ("did you mean …"). */
export function didYouMean(name: string, known: Iterable<string>): string {
  let best = '';
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** The hint for anything that names a plugin the harness does not know: most often a plugin in a folder
 * of its own, which every command that reads plugins loads with `--plugin DIR`. */
export const PLUGIN_FLAG_HINT = 'A plugin in a folder of its own is loaded with --plugin DIR (repeatable; run, plan, list, validate, bench, reproduce, score, leaderboard, publish, merge, serve and export accept it); an npm-installed one is found in ./node_modules.';
