import { createRequire } from 'node:module';
import type { LoadSummary } from '../pipeline/load/load-sources.ts';

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

/** What a load did, for `load` and `run`: each file loaded or removed, then the counts. */
export function loadLines(summary: LoadSummary): string[] {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return [
    ...summary.loaded.map((f) => `${f.action} ${f.file} (${plural(f.rows, 'row')}${f.rejected ? `, ${plural(f.rejected, 'rejected row')}` : ''})`),
    ...summary.removed.map((f) => `removed ${f.file} (its ${plural(f.rows, 'row')} left the warehouse)`),
    `${plural(summary.loaded.length, 'file')} loaded${summary.removed.length ? `, ${summary.removed.length} removed` : ''}, ${summary.unchanged} unchanged`,
    ...(summary.duplicates ? [`${plural(summary.duplicates, 'event row')} set aside as duplicates: one row of each event_id is kept, the earliest`] : []),
  ];
}
