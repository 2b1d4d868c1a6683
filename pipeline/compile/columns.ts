import { sql, type RawBuilder } from 'kysely';
import type { PlannedMeasure } from './plan.ts';

// Column names of the intermediate models. Generated from an index, with the user's name
// appended inside a quoted identifier only for readability of `healthscore compile`.

export const col = (name: string): RawBuilder<unknown> => sql.id(name);

/** A user's name inside a column name, for reading only (the index makes it unique). A NUL
 *  would end the statement text, so it is shown as ␀. */
const readable = (name: string) => name.replaceAll('\0', '\u2400');

/** `, a, b, c` — columns appended to a select list that already has some. */
export const appendColumns = (items: RawBuilder<unknown>[]): RawBuilder<unknown> =>
  sql.join(items.map((item) => sql`, ${item}`), sql``);

export const signalColumn = (index: number, part: 'n' | 'vn' | 'total' | 'lo' | 'hi') => col(`s${index}_${part}`);
/** Change on a day of a distinct count (distinct_users, distinct). */
export const distinctDelta = (m: PlannedMeasure) => col(`distinct${m.index}_delta`);

export const measureValue = (m: PlannedMeasure) => col(`m${m.index}:${readable(m.name)}`);
/** Text view of an attribute measure (other measures are numbers). */
export const measureText = (m: PlannedMeasure) => col(`t${m.index}:${readable(m.name)}`);
export const measureStale = (m: PlannedMeasure) => col(`stale${m.index}:${readable(m.name)}`);
/** A trend's value of the previous period. */
export const previousValue = (m: PlannedMeasure) => col(`before${m.index}:${readable(m.name)}`);
export const goalTotal = (m: PlannedMeasure) => col(`goal${m.index}_total`);
export const goalStart = (m: PlannedMeasure) => col(`goal${m.index}_start`);

/** An attribute's observation on a spine day, and its value as of that day. */
export const attributeObserved = (index: number) => col(`a${index}_obs`);
export const attributeObservedDay = (index: number) => col(`a${index}_obs_day`);
export const attributeValue = (index: number) => col(`a${index}_value`);
export const attributeDay = (index: number) => col(`a${index}_day`);
