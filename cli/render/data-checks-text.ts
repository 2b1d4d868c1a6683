import type { DataCheck, DataChecks } from '../../pipeline/load/data-checks.ts';
import { count, percent } from '../../pipeline/format.ts';

/** The data checks for `load`, `run` and `status`: one line per problem found, or one line
 *  saying there is none. Nothing before the first load of a warehouse made without them. */
export function dataCheckLines(checks: DataChecks | null): string[] {
  if (!checks) return [];
  const of = (c: DataCheck, what: string) => `${count(c.rows)} of ${count(c.of)} ${what} (${percent(c.share)})`;
  const accounts = (c: DataCheck) => `${count(c.accounts ?? 0)} account${c.accounts === 1 ? '' : 's'}`;
  const found = (c: DataCheck | null): c is DataCheck => c !== null && c.rows > 0;
  const { eventsBeforeCreated: early, eventsOfUnknownAccounts: unknown, duplicateChurnRows: churn,
    conflictingAttributeObservations: conflicts, reusedEventIds: ids } = checks;
  const lines = [
    ...(found(early) ? [`${of(early, 'events')} are dated before their account's created_at, in ${accounts(early)}: those accounts are scored from created_at`] : []),
    ...(found(unknown) ? [`${of(unknown, 'events')} belong to ${accounts(unknown)} missing from the accounts file`] : []),
    ...(found(churn) ? [`${of(churn, 'churn rows')} repeat an account and churn day listed before`] : []),
    ...(found(conflicts) ? [`${of(conflicts, 'attribute observations')} conflict: another value at the same account, attribute and timestamp; the scores use the greater value (as text)`] : []),
    ...(found(ids) ? [`${of(ids, 'event rows')} share their event_id with another row and are set aside: one row per id is kept, the earliest`] : []),
  ];
  return lines.length ? ['data checks:', ...lines.map((l) => `  ${l}`)] : ['data checks: no problems found'];
}
