// `timestamp_format:` of a source (SPEC §2): a strptime format in DuckDB's syntax, which
// is the syntax users write. What it reads decides what a value means: a day, a local
// time, or an instant.

/** The directives DuckDB's strptime accepts (checked against DuckDB 1.5: any other letter
 *  is an error when the query is bound, i.e. only once a file is being loaded). */
const DIRECTIVES = new Set(['a', 'A', 'b', 'B', 'c', 'd', '-d', 'f', 'g', 'G', 'h', 'H', '-H', 'I', '-I', 'j', '-j', 'm', '-m', 'M', '-M', 'n', 'p', 'S', '-S', 'T', 'u', 'U', 'V', 'w', 'W', 'x', 'X', 'y', '-y', 'Y', 'z', 'Z']);

/** Directives that read a time of day (or a whole date and time, `%c`). */
const TIME_DIRECTIVES = new Set(['c', 'f', 'g', 'H', '-H', 'I', '-I', 'M', '-M', 'n', 'p', 'S', '-S', 'T', 'X']);

/** Directives that read a UTC offset or a time zone name. */
const ZONE_DIRECTIVES = new Set(['z', 'Z']);

function directives(format: string): string[] {
  return [...format.matchAll(/%(-?.?)/gs)].map((m) => m[1]!).filter((d) => d !== '%');
}

/** Why `format` cannot be a timestamp_format, or undefined when it can. Without any
 *  directive DuckDB would read every matching value as 1900-01-01. */
export function timestampFormatProblem(format: string): string | undefined {
  const found = directives(format);
  const unknown = found.find((d) => !DIRECTIVES.has(d));
  if (unknown !== undefined) return `"%${unknown}" is not a strptime directive (use e.g. %Y %m %d %H %M %S %z)`;
  if (found.length === 0) return `has no % directive; expected a strptime format like "%m/%d/%Y %H:%M"`;
  return undefined;
}

/** What a value read with `format` is: a calendar day (no time of day), a local time
 *  without zone (read as UTC, as an ISO text without offset is), or an instant. */
export function timestampFormatKind(format: string): 'date' | 'timestamp' | 'instant' {
  const found = directives(format);
  if (found.some((d) => ZONE_DIRECTIVES.has(d))) return 'instant';
  if (found.some((d) => TIME_DIRECTIVES.has(d))) return 'timestamp';
  return 'date';
}
