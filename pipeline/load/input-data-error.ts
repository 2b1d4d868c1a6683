/** A problem in a user's data file, located like a definition problem:
 *  `data/events.csv:17 timestamp: cannot read "yesterday" as a timestamp`.
 *  `line` is the file's line for CSV/JSON lines, the row number for Parquet. */
export class InputDataError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}${field ? ` ${field}` : ''}: ${reason}`);
    this.name = 'InputDataError';
  }
}
