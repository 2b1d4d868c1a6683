import { addDays } from '../days.ts';
import { UsageError } from '../errors.ts';

export interface EvaluationRange {
  horizon: number;
  step: number;
  from?: string;
  to?: string;
}

export interface EvaluationDays {
  /** The days T scored: every `step` from `from`, each with T + horizon ≤ the last data day. */
  days: string[];
  /** Days of the range left out because their horizon runs past the data (censored). */
  censored: string[];
  /** The last day whose horizon is fully observed. */
  lastObservable: string;
}

/** The evaluation days of a backtest (SPEC §6). By default the range runs from the first
 *  scoring day to the last day whose horizon the data covers. */
export function evaluationDays(range: EvaluationRange, data: { first: string; last: string }): EvaluationDays {
  if (!(range.horizon >= 1)) throw new UsageError('--horizon must be at least 1 day');
  if (!(range.step >= 1)) throw new UsageError('--step must be at least 1 day');
  const lastObservable = addDays(data.last, -range.horizon);
  const from = range.from ?? data.first;
  const to = range.to ?? lastObservable;
  if (from < data.first || to > data.last) {
    throw new UsageError(`the data covers ${data.first} … ${data.last}; the backtest range ${from} … ${to} is outside it`);
  }
  if (from > to) {
    throw new UsageError(
      range.to === undefined
        ? `no evaluation day: a ${range.horizon}-day horizon from ${from} runs past the last data day ${data.last}`
        : `--from ${from} is after --to ${to}`,
    );
  }
  const days: string[] = [];
  const censored: string[] = [];
  for (let day = from; day <= to; day = addDays(day, range.step)) (day <= lastObservable ? days : censored).push(day);
  if (days.length === 0) {
    throw new UsageError(`no evaluation day has its ${range.horizon}-day horizon inside the data (it ends ${data.last}); end the range by ${lastObservable}`);
  }
  return { days, censored, lastObservable };
}
