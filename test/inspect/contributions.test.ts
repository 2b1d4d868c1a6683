import { describe, expect, it } from 'vitest';
import type { Group, Scorecard } from '../../pipeline/ir/types.ts';
import { contributions } from '../../pipeline/inspect/contributions.ts';

// Contributions worked by hand: they must add up to the weighted average of SPEC §3.4.

const card = (groups?: Record<string, Group>, members: Record<string, string> = {}) =>
  ({ groups, scores: Object.entries(members).map(([id, group]) => ({ id, group })) }) as unknown as Pick<Scorecard, 'groups' | 'scores'>;

describe('contributions', () => {
  it('splits (A + 2B + 3C) / 6 into A/6, 2B/6, 3C/6; missing and weight-0 scores give nothing', () => {
    const out = contributions(card(), [
      { score_id: 'a', score: 6, weight: 1 },
      { score_id: 'b', score: 3, weight: 2 },
      { score_id: 'c', score: 9, weight: 3 },
      { score_id: 'gone', score: null, weight: 3 },
      { score_id: 'shown', score: 10, weight: 0 },
    ]);
    expect(Object.fromEntries(out)).toEqual({ a: 1, b: 1, c: 4.5, gone: 0, shown: 0 });
    expect([...out.values()].reduce((s, x) => s + x, 0)).toBe((6 + 2 * 3 + 3 * 9) / 6);
  });

  it('goes through the groups: average within, lowest gives its share to the worst member', () => {
    const out = contributions(
      card({ usage: { weight: 3, combine: 'average' }, risk: { weight: 1, combine: 'lowest' } }, { a: 'usage', b: 'usage', c: 'risk', d: 'risk' }),
      [
        { score_id: 'a', score: 8, weight: 1 },
        { score_id: 'b', score: 4, weight: 1 },
        { score_id: 'c', score: 2, weight: 1 },
        { score_id: 'd', score: 9, weight: 1 },
      ],
    );
    // usage = 6 with weight 3/4; risk = min(2, 9) = 2 with weight 1/4: global 5.
    expect(Object.fromEntries(out)).toEqual({ a: 3, b: 1.5, c: 0.5, d: 0 });
  });

  it('renormalises over the groups that have a present score', () => {
    const out = contributions(
      card({ usage: { weight: 3, combine: 'average' }, risk: { weight: 1, combine: 'highest' } }, { a: 'usage', c: 'risk' }),
      [
        { score_id: 'a', score: null, weight: 1 },
        { score_id: 'c', score: 4, weight: 1 },
      ],
    );
    expect(Object.fromEntries(out)).toEqual({ a: 0, c: 4 });
  });
});
