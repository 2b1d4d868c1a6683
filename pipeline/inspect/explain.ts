import { isDone, lastDoneDay } from '../state/run-log.ts';
import { sql, type Kysely } from 'kysely';
import { UsageError } from '../errors.ts';
import type { ChurnSource, Scorecard } from '../ir/types.ts';
import type { SqlDialect } from '../sql/dialects/dialect.ts';
import { attributeTexts } from './attribute-text.ts';
import { contributions } from './contributions.ts';
import { notScoredOn, unscoredDay, whyUnscored } from './unscored-day.ts';

export interface ScoreExplanation {
  score_id: string;
  name: string;
  raw_value: number | null;
  /** An attribute measure's value when it is not a number (a `plan` of "basic"). */
  raw_text: string | null;
  score: number | null;
  band: string | null;
  weight: number;
  /** Points of the computed global score this score accounts for. */
  contribution: number;
  status: string;
}

export interface Explanation {
  date: string;
  score: number | null;
  band: string | null;
  computed_score: number | null;
  computed_band: string | null;
  insights: { id: string; name: string; band: string | null }[];
  overridden: boolean;
  override_reason: string | null;
  definition_version: string;
  scores: ScoreExplanation[];
  /** Scores of the definition with no row for the account that day (outside their segment). */
  not_applicable: string[];
}

export interface ScoreChange {
  score_id: string;
  name: string;
  from_score: number | null;
  to_score: number | null;
  from_contribution: number;
  to_contribution: number;
  /** to_contribution − from_contribution. */
  change: number;
}

export interface AccountExplanation extends Explanation {
  account_id: string;
  scorecard: string;
  /** The version of the definition files now; differs from definition_version when the
   *  snapshot was materialised under an older definition. */
  current_version: string;
  /** Without --date, when the account is not scored on the last materialised day (it
   *  churned, say): that it is its last scored day that is explained, and why. */
  note: string | null;
  since: {
    date: string;
    before: Explanation;
    /** Change of the global score. */
    change: number | null;
    /** Biggest change of contribution first. */
    changes: ScoreChange[];
    insights_fired: string[];
    insights_cleared: string[];
  } | null;
}

export interface ExplainOptions {
  date?: string;
  since?: string;
  /** The project's churn source, to say that an account is not scored because it churned. */
  churn?: ChurnSource;
  /** The warehouse's dialect: a text attribute is looked up as the scoring did. */
  dialect: SqlDialect;
}

/** Why an account has its score on a day: its snapshot rows read back with each score's
 *  contribution to the weighted average; with `since`, what changed and what drove it.
 *  Without a date, the last materialised day, or the account's last scored day before it
 *  (a churned account is explained as it was last scored, with a note saying so). */
export async function explainAccount(
  db: Kysely<any>,
  scorecard: Scorecard,
  accountId: string,
  options: ExplainOptions,
): Promise<AccountExplanation> {
  let date = options.date ?? (await latestDay(db, scorecard));
  let note: string | null = null;
  if (options.date === undefined && !(await hasSnapshot(db, scorecard, accountId, date))) {
    const unscored = await unscoredDay(db, scorecard, accountId, date, options.churn);
    if (unscored.lastScored !== null) {
      note = `${notScoredOn(accountId, date, unscored)}; this is its last scored day, ${unscored.lastScored}`;
      date = unscored.lastScored;
    }
  }
  if (options.since !== undefined && options.since >= date) throw new UsageError(`--since ${options.since} must be before ${date}`);
  const now = await explanationOn(db, scorecard, accountId, date, options);
  let since: AccountExplanation['since'] = null;
  if (options.since !== undefined) {
    const before = await explanationOn(db, scorecard, accountId, options.since, options);
    const ids = [...new Set([...before.scores, ...now.scores].map((s) => s.score_id))];
    const changes = ids
      .map((id) => {
        const a = before.scores.find((s) => s.score_id === id);
        const b = now.scores.find((s) => s.score_id === id);
        const from = a?.contribution ?? 0;
        const to = b?.contribution ?? 0;
        return { score_id: id, name: (a ?? b)!.name, from_score: a?.score ?? null, to_score: b?.score ?? null, from_contribution: from, to_contribution: to, change: to - from };
      })
      .sort((x, y) => Math.abs(y.change) - Math.abs(x.change) || x.score_id.localeCompare(y.score_id));
    const had = new Set(before.insights.map((i) => i.id));
    const has = new Set(now.insights.map((i) => i.id));
    since = {
      date: options.since,
      before,
      change: now.score !== null && before.score !== null ? now.score - before.score : null,
      changes,
      insights_fired: [...has].filter((id) => !had.has(id)),
      insights_cleared: [...had].filter((id) => !has.has(id)),
    };
  }
  return { account_id: accountId, scorecard: scorecard.id, current_version: scorecard.version, note, ...now, since };
}

async function latestDay(db: Kysely<any>, scorecard: Scorecard): Promise<string> {
  const day = await lastDoneDay(db, scorecard.id);
  if (!day) throw new UsageError(`nothing is materialised for ${scorecard.id} yet: run \`healthscore run\` first`);
  return day;
}

async function hasSnapshot(db: Kysely<any>, scorecard: Scorecard, accountId: string, date: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from health_snapshots
    where scorecard = ${scorecard.id} and snapshot_date = ${date}::date and account_id = ${accountId}`.execute(db);
  return (rows[0]?.n ?? 0) > 0;
}

async function explanationOn(
  db: Kysely<any>,
  scorecard: Scorecard,
  accountId: string,
  date: string,
  { churn, dialect }: Pick<ExplainOptions, 'churn' | 'dialect'>,
): Promise<Explanation> {
  const { rows: health } = await sql<{
    score: number | null; band: string | null; computed_score: number | null; computed_band: string | null;
    insights: string[]; overridden: boolean; override_reason: string | null; definition_version: string;
  }>`select score, band, computed_score, computed_band, insights, overridden, override_reason, definition_version
     from health_snapshots where scorecard = ${scorecard.id} and snapshot_date = ${date}::date and account_id = ${accountId}`.execute(db);
  const row = health[0];
  if (!row) {
    if (!(await isDone(db, scorecard.id, date))) {
      throw new UsageError(`${date} is not materialised for ${scorecard.id}: run \`healthscore run --date ${date}\` first`);
    }
    const unscored = await unscoredDay(db, scorecard, accountId, date, churn);
    throw new UsageError(whyUnscored(accountId, scorecard.id, date, unscored));
  }
  const { rows: scores } = await sql<{ score_id: string; raw_value: number | null; score: number | null; band: string | null; weight: number; status: string }>`
    select score_id, raw_value, score, band, weight, status from score_snapshots
    where scorecard = ${scorecard.id} and snapshot_date = ${date}::date and account_id = ${accountId}`.execute(db);
  const shares = contributions(scorecard, scores);
  const texts = await attributeTexts(db, dialect, scorecard, accountId, date, scores);
  const order = new Map(scorecard.scores.map((s, i) => [s.id, i]));
  const nameOf = (id: string) => scorecard.scores.find((s) => s.id === id)?.name ?? id;
  return {
    date,
    ...row,
    insights: row.insights.map((id) => {
      const insight = scorecard.insights.find((i) => i.id === id);
      return { id, name: insight?.name ?? id, band: insight?.band ?? null };
    }),
    scores: scores
      .sort((a, b) => (order.get(a.score_id) ?? Infinity) - (order.get(b.score_id) ?? Infinity))
      .map((s) => ({ ...s, raw_text: texts.get(s.score_id) ?? null, name: nameOf(s.score_id), contribution: shares.get(s.score_id) ?? 0 })),
    not_applicable: scorecard.scores.filter((s) => !scores.some((r) => r.score_id === s.id)).map((s) => s.id),
  };
}
