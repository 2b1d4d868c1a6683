// Validation problems are values with a location; only the CLI turns them into text and an
// exit code. One ValidationError carries every problem found, so a user fixes them in one go.

/** One thing wrong with a YAML file. `file` is relative to the project root, `line` is
 *  1-based (0 when the problem concerns the file as a whole, e.g. it does not exist). */
export interface Problem {
  file: string;
  line: number;
  /** Where in the document: `scores[1].best`; empty for the document itself. */
  path: string;
  message: string;
}

/** A step of a path into a YAML document: a mapping key or a list index. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `['scores', 1, 'best']` → `scores[1].best`. Keys that are not plain identifiers are
 *  JSON-quoted (`measures["it's"]`) so that the text stays unambiguous. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `definitions/health.yaml:14 scores[1].best: expected a number`. */
export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** Problems in reading order (by file as first seen, then line, then path), each once. */
export function orderProblems(problems: readonly Problem[]): Problem[] {
  const fileOrder = new Map<string, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  const seen = new Set<string>();
  const unique = problems.filter((p) => {
    const text = formatProblem(p);
    return seen.has(text) ? false : (seen.add(text), true);
  });
  return unique.sort(
    (a, b) =>
      fileOrder.get(a.file)! - fileOrder.get(b.file)! ||
      a.line - b.line ||
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0),
  );
}

export class ValidationError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    const sorted = orderProblems(problems);
    super(sorted.map(formatProblem).join('\n'));
    this.name = 'ValidationError';
    this.problems = sorted;
  }
}

/** A problem found on parsed data, before it is given the file and line of `path`. */
export interface Finding {
  path: PathSegment[];
  message: string;
}

/** A request that cannot be carried out as asked (a day outside the data, an unknown
 *  scorecard): bad usage, exit 2, as opposed to a failure while working (exit 1). */
export class UsageError extends Error {}
