import { describe, expect, it } from 'vitest';
import { evaluationDays } from '../../pipeline/backtest/evaluation-days.ts';
import { UsageError } from '../../pipeline/errors.ts';

const DATA = { first: '2025-01-01', last: '2025-03-01' };

describe('evaluation days', () => {
  it('runs every step from the first day to the last day whose horizon the data covers', () => {
    const { days, censored, lastObservable } = evaluationDays({ horizon: 10, step: 7 }, DATA);
    expect(lastObservable).toBe('2025-02-19');
    expect(days).toEqual(['2025-01-01', '2025-01-08', '2025-01-15', '2025-01-22', '2025-01-29', '2025-02-05', '2025-02-12', '2025-02-19']);
    expect(censored).toEqual([]);
  });

  it('censors the days of an explicit range whose horizon runs past the data', () => {
    const { days, censored } = evaluationDays({ horizon: 10, step: 7, from: '2025-02-05', to: '2025-03-01' }, DATA);
    expect(days).toEqual(['2025-02-05', '2025-02-12', '2025-02-19']);
    expect(censored).toEqual(['2025-02-26']);
  });

  it('refuses ranges outside the data, empty ranges and a range with no observable horizon', () => {
    expect(() => evaluationDays({ horizon: 10, step: 7, from: '2024-12-01' }, DATA)).toThrow(/data covers 2025-01-01 … 2025-03-01/);
    expect(() => evaluationDays({ horizon: 90, step: 7 }, DATA)).toThrow(UsageError);
    expect(() => evaluationDays({ horizon: 10, step: 7, from: '2025-02-25', to: '2025-03-01' }, DATA)).toThrow(/end the range by 2025-02-19/);
    expect(() => evaluationDays({ horizon: 10, step: 0 }, DATA)).toThrow(/--step/);
  });
});
