// The shape of healthscore.yaml (SPEC §2). Strict like the definitions: a misspelt key is
// an error, not a silently ignored setting.

import { z } from 'zod';
import { name } from '../definitions/condition-schema.ts';
import { byKey, dispatch, isMapping } from '../definitions/dispatch.ts';
import { durationOrZero } from '../definitions/duration.ts';
import { unlessMissing } from '../definitions/zod-problems.ts';
import { timestampFormatProblem } from '../timestamp-format.ts';
import { inferFormat, SOURCE_COLUMNS } from './source-columns.ts';
import { schemaProblem, schemaSetting, warehouseSetting } from './warehouse-setting.ts';

const FORMATS = ['csv', 'parquet', 'json', 'ndjson'] as const;

function isTimeZone(tz: string): boolean {
  // The default zone needs no check; asking Intl loads ICU's zone data (~15 ms at start-up).
  if (tz === 'UTC') return true;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function isCalendarDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
}

const calendarDate = z
  .string({ error: unlessMissing('expected a date like 2025-01-01') })
  .refine(isCalendarDate, { error: 'expected a date like 2025-01-01' });

const onBadRows = z.enum(['fail', 'skip']);
const validRange = z
  .object({ from: calendarDate.optional(), to: calendarDate.optional() })
  .strict()
  .refine((r) => r.from === undefined || r.to === undefined || r.from <= r.to, { error: '"from" is after "to"' });

const timestampFormat = z
  .string({ error: unlessMissing('expected a strptime format like "%m/%d/%Y %H:%M"') })
  .superRefine((format, ctx) => {
    const problem = timestampFormatProblem(format);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** `schema.name` or `name`: one dot at most, no blanks. */
const TABLE_NAME = /^[^.\s"]+(\.[^.\s"]+)?$/;

/** A source reads files (`path`, with `format` when the extension does not tell it) or a
 *  table of the warehouse (`table`); the rest applies to both. */
function dataSource<C extends readonly string[]>(columns: C) {
  return z
    .object({
      path: name.optional(),
      table: name.optional(),
      format: z.enum(FORMATS).optional(),
      on_bad_rows: onBadRows.optional(),
      valid_range: validRange.optional(),
      timestamp_format: timestampFormat.optional(),
      columns: z
        .object(Object.fromEntries(columns.map((c) => [c, name.optional()])) as Record<C[number], z.ZodOptional<typeof name>>)
        .strict()
        .optional(),
    })
    .strict();
}

type SourceDoc = { path?: string; table?: string; format?: string };

/** Files or a table, not both; files need a format their extension does not tell. */
function checkSource(s: SourceDoc, ctx: z.RefinementCtx): void {
  if (s.table !== undefined) {
    if (s.path !== undefined) ctx.addIssue({ code: 'custom', path: ['table'], message: 'a source reads files (path) or a table, not both' });
    else if (s.format !== undefined) ctx.addIssue({ code: 'custom', path: ['format'], message: 'a table has no file format: leave format out' });
    if (!TABLE_NAME.test(s.table)) {
      ctx.addIssue({ code: 'custom', path: ['table'], message: `expected a table name like "events" or "analytics.events", not ${JSON.stringify(s.table)}` });
    }
    return;
  }
  if (s.path === undefined) {
    ctx.addIssue({ code: 'custom', path: ['path'], message: 'missing required key "path" (the files to read), or "table" (a table of the warehouse)' });
  } else if (s.format === undefined && inferFormat(s.path) === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['format'],
      message: `missing required key "format" (cannot tell it from ${JSON.stringify(s.path)}; use csv, parquet or json)`,
    });
  }
}

const events = dataSource(SOURCE_COLUMNS.events).superRefine(checkSource);
const accounts = dataSource(SOURCE_COLUMNS.accounts).superRefine(checkSource);
const overrides = dataSource(SOURCE_COLUMNS.overrides).superRefine(checkSource);

const attributes = dataSource(SOURCE_COLUMNS.attributes)
  .extend({ layout: z.enum(['long', 'wide']).optional() })
  .superRefine((s, ctx) => {
    checkSource(s, ctx);
    if (s.layout !== 'wide') return;
    for (const c of ['attribute', 'value'] as const) {
      if (s.columns?.[c] !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['columns', c], message: `wide attributes have no ${c} column: each attribute is a column of its own` });
      }
    }
  });

/** What brings a churned account back: only some events, or the days of a file (or
 *  table) of reactivations. Left out, any event does. */
const reactivatedBy = byKey('a reactivation rule', {
  events: z
    .object({
      events: z
        .array(name)
        .min(1)
        .refine((events) => !events.includes('*'), { error: 'leave reactivated_by out for "any event": that is the default' }),
    })
    .strict(),
  path: dataSource(SOURCE_COLUMNS.reactivations).superRefine(checkSource),
  table: dataSource(SOURCE_COLUMNS.reactivations).superRefine(checkSource),
});

/** Churn is a file (or table) of churn days, or the days of an event (`{ event: cancelled }`). */
const churnFile = dataSource(SOURCE_COLUMNS.churn).extend({ reactivated_by: reactivatedBy.optional() }).superRefine(checkSource);
const churnEvent = z.object({ event: name, reactivated_by: reactivatedBy.optional() }).strict();
const churn = dispatch<z.output<typeof churnFile> | z.output<typeof churnEvent>>((input) =>
  isMapping(input) && 'event' in input ? churnEvent : churnFile,
);

export const projectSchema = z
  .object({
    warehouse: warehouseSetting.optional(),
    schema: schemaSetting.optional(),
    timezone: z
      .string()
      .refine(isTimeZone, { error: 'expected an IANA time zone like "UTC" or "Europe/Paris"' })
      .optional(),
    start_date: calendarDate.optional(),
    on_bad_rows: onBadRows.optional(),
    valid_range: validRange.optional(),
    timestamp_format: timestampFormat.optional(),
    lookback: durationOrZero.optional(),
    memory_limit: z
      .string({ error: unlessMissing('expected a size like "4GB"') })
      .regex(/^\d+(\.\d+)?\s*[KMGT]i?B$/i, { error: 'expected a size like "4GB"' })
      .optional(),
    threads: z
      .number({ error: unlessMissing('expected a whole number of threads, like 4') })
      .int({ error: 'expected a whole number of threads, like 4' })
      .min(1, { error: 'expected a whole number of threads, like 4' })
      .optional(),
    definitions: name.optional(),
    export: z
      .object({
        path: name.optional(),
        formats: z.array(z.enum(['parquet', 'arrow'])).min(1).optional(),
        partition: z.enum(['day', 'month']).optional(),
      })
      .strict()
      .optional(),
    sources: z.object({ events, attributes: attributes.optional(), accounts: accounts.optional(), churn: churn.optional(), overrides: overrides.optional() }).strict(),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const problem = schemaProblem(doc.warehouse, doc.schema);
    if (problem) ctx.addIssue({ code: 'custom', path: ['schema'], message: problem });
  });

export type ProjectDoc = z.output<typeof projectSchema>;
