import type { Scorecard } from '../ir/types.ts';

export interface ScoreRow {
  score_id: string;
  score: number | null;
  weight: number;
}

/** How many points of the global score each score accounts for (SPEC §3.4): its share of
 *  the weighted average, through its group when the scorecard has groups. A missing score
 *  or one of weight 0 contributes 0; a `lowest`/`highest` group gives all of its share to
 *  the member it picked. The contributions add up to the computed score (before rounding). */
export function contributions(scorecard: Pick<Scorecard, 'groups' | 'scores'>, rows: ScoreRow[]): Map<string, number> {
  const out = new Map(rows.map((r) => [r.score_id, 0]));
  const present = rows.filter((r) => r.score !== null && r.weight > 0);
  if (!scorecard.groups) {
    const total = present.reduce((sum, r) => sum + r.weight, 0);
    for (const r of present) out.set(r.score_id, (r.weight * r.score!) / total);
    return out;
  }
  const groupOf = new Map(scorecard.scores.map((s) => [s.id, s.group]));
  const groups = Object.entries(scorecard.groups)
    .map(([name, group]) => ({ group, members: present.filter((r) => groupOf.get(r.score_id) === name) }))
    .filter((g) => g.members.length > 0);
  const groupTotal = groups.reduce((sum, g) => sum + g.group.weight, 0);
  if (groupTotal === 0) return out;
  for (const { group, members } of groups) {
    const share = group.weight / groupTotal;
    if (group.combine === 'average') {
      const total = members.reduce((sum, r) => sum + r.weight, 0);
      for (const r of members) out.set(r.score_id, (share * r.weight * r.score!) / total);
    } else {
      // The first member with the lowest (highest) score, as least()/greatest() pick it.
      const pick = members.reduce((best, r) => (group.combine === 'lowest' ? r.score! < best.score! : r.score! > best.score!) ? r : best);
      out.set(pick.score_id, share * pick.score!);
    }
  }
  return out;
}
