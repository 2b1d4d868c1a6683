import { sql, type RawBuilder } from 'kysely';
import type { PlannedMeasure } from './plan.ts';

// Column names of the intermediate models. Generated from an index, with the user's name
// appended inside a quoted identifier only for readability of `healthscore compile`.

export const col = (name: string): RawBuilder<unknown> => sql.id(name);

export const signalColumn = (index: number, part: 'n' | 'vn' | 'total' | 'lo' | 'hi') => col(`s${index}_${part}`);

export const measureValue = (m: PlannedMeasure) => col(`m${m.index}:${m.name}`);
/** Text view of a measure: the attribute's own text, or the number as text. */
export const measureText = (m: PlannedMeasure) => col(`t${m.index}:${m.name}`);
export const measureStale = (m: PlannedMeasure) => col(`stale${m.index}:${m.name}`);

export const attributeValue = (index: number) => col(`a${index}_value`);
export const attributeDay = (index: number) => col(`a${index}_day`);
