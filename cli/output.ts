import { createRequire } from 'node:module';
import type { LoadSummary } from '../pipeline/load/load-sources.ts';
import type { TableDayName } from '../pipeline/load/table-source.ts';

/** Prints a command's result: the object as JSON with --json, else the text lines. */
export function print(json: boolean | undefined, value: unknown, text: () => string[]): void {
  if (json) process.stdout.write(JSON.stringify(value, null, 2) + '\n');
  else for (const line of text()) process.stdout.write(line + '\n');
}

/** A progress bar on an interactive terminal; silent in CI, in pipes and with --json. */
export function progressBar(enabled: boolean) {
  const interactive = enabled && process.stderr.isTTY === true && !process.env['CI'];
  if (!interactive) return { update: (_done: number, _total: number, _label: string) => {}, stop: () => {} };
  // Required only here: most processes (CI, pipes, --json, every command without a bar) draw
  // none, and loading cli-progress would add to each one's start-up.
  const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar(
    { format: '{bar} {value}/{total} {label}', stream: process.stderr, clearOnComplete: true, hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done: number, total: number, label: string) {
      if (!started) {
        bar.start(total, done, { label });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { label });
      }
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** What a load did, for `load` and `run`: each file loaded or removed (a table source's
 *  days as one line per table and action), then the counts. */
export function loadLines(summary: LoadSummary): string[] {
  const rejected = (n: number) => (n ? `, ${plural(n, 'rejected row')}` : '');
  const files = summary.loaded.filter((f) => !f.table);
  const days = summary.loaded.length - files.length;
  return [
    ...files.map((f) => `${f.action} ${f.file} (${plural(f.rows, 'row')}${rejected(f.rejected)})`),
    ...byTable(summary.loaded, (f) => f.action).map(({ key, table, entries }) => {
      const sum = (field: 'rows' | 'rejected') => entries.reduce((n, f) => n + f[field], 0);
      return `${key} ${table}: ${dayRange(entries)} (${plural(sum('rows'), 'row')}${rejected(sum('rejected'))})`;
    }),
    ...summary.removed.filter((f) => !f.table).map((f) => `removed ${f.file} (its ${plural(f.rows, 'row')} left the warehouse)`),
    ...byTable(summary.removed, () => 'removed').map(({ table, entries }) =>
      `removed ${table}: ${dayRange(entries)} (their ${plural(entries.reduce((n, f) => n + f.rows, 0), 'row')} left the warehouse)`,
    ),
    `${plural(files.length, 'file')}${days ? ` and ${plural(days, 'table day')}` : ''} loaded${summary.removed.length ? `, ${summary.removed.length} removed` : ''}, ${summary.unchanged} unchanged`,
  ];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The entries that are days of a table source, grouped by table and `key`. */
export function byTable<T extends { table?: TableDayName }>(entries: T[], key: (entry: T) => string): { key: string; table: string; entries: T[] }[] {
  const groups = new Map<string, { key: string; table: string; entries: T[] }>();
  for (const entry of entries) {
    if (!entry.table) continue;
    const k = key(entry);
    const group = groups.get(`${k}\0${entry.table.table}`) ?? { key: k, table: entry.table.table, entries: [] };
    group.entries.push(entry);
    groups.set(`${k}\0${entry.table.table}`, group);
  }
  return [...groups.values()];
}

/** `3 days, 2025-03-01 … 2025-03-05`: the days of one table. */
export function dayRange(entries: { table?: TableDayName }[]): string {
  const days = entries.map((e) => e.table!.day).sort();
  const span = days.length === 1 ? days[0] : `${days[0]} … ${days[days.length - 1]}`;
  return `${plural(days.length, 'day')}, ${span}`;
}
