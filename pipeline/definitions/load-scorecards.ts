// Reads every scorecard of a project. All files are checked before anything is reported,
// so `healthscore validate` shows every problem of every file at once.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError, type Problem } from '../errors.ts';
import type { Scorecard } from '../ir/types.ts';
import { parseScorecard } from './parse-scorecard.ts';
import { problemAt } from './yaml-source.ts';

/** Forward slashes, so messages and the IR read the same on every OS. */
export function relativeFile(projectRoot: string, file: string): string {
  return path.relative(projectRoot, file).split(path.sep).join('/');
}

function scorecardId(data: unknown): string | undefined {
  const id = (data as { scorecard?: unknown } | null | undefined)?.scorecard;
  return typeof id === 'string' ? id : undefined;
}

/** Scorecards from `definitionsDir/*.yaml|*.yml`, in file-name order. Throws one
 *  ValidationError listing every problem found. */
export async function loadScorecards(definitionsDir: string, projectRoot: string): Promise<Scorecard[]> {
  let names: string[];
  try {
    names = (await readdir(definitionsDir, { withFileTypes: true }))
      .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw e;
    const dir = relativeFile(projectRoot, definitionsDir) || '.';
    const message = code === 'ENOENT' ? 'the definitions folder does not exist' : 'is a file, not a definitions folder (give the folder that holds it)';
    throw new ValidationError([{ file: dir, line: 0, path: '', message }]);
  }

  const problems: Problem[] = [];
  const scorecards: Scorecard[] = [];
  const firstFileOf = new Map<string, string>();
  for (const name of names) {
    const file = relativeFile(projectRoot, path.join(definitionsDir, name));
    const result = parseScorecard(await readFile(path.join(definitionsDir, name), 'utf8'), file);
    if (result.ok) scorecards.push(result.scorecard);
    else problems.push(...result.problems);

    // Checked even for a file with other problems, so that fixing those reveals nothing new.
    const id = result.ok ? result.scorecard.id : scorecardId(result.source?.data);
    if (id === undefined || !result.source) continue;
    const first = firstFileOf.get(id);
    if (first === undefined) firstFileOf.set(id, file);
    else problems.push(problemAt(result.source, ['scorecard'], `duplicate scorecard id ${JSON.stringify(id)} (also in ${first})`));
  }

  if (problems.length > 0) throw new ValidationError(problems);
  return scorecards;
}
