import { UsageError } from '../errors.ts';
import type { Scorecard } from '../ir/types.ts';

/** The scorecard of a `--compare` definitions folder to compare with `scorecard`: the one
 *  of the same id. Another scorecard (even the folder's only one) is refused: a comparison
 *  is of two definitions of the same scorecard, whose overrides and materialised days
 *  belong to that id. */
export function comparisonFor(scorecard: Scorecard, others: readonly Scorecard[], folder: string): Scorecard {
  const same = others.find((s) => s.id === scorecard.id);
  if (same) return same;
  const has = others.length ? `it has ${others.map((s) => `"${s.id}"`).join(', ')}` : 'it has no scorecard';
  throw new UsageError(`${folder} has no scorecard "${scorecard.id}" to compare with (${has}): --compare takes another definition of the same scorecard`);
}
