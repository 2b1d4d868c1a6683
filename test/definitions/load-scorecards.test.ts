import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScorecards } from '../../pipeline/definitions/load-scorecards.ts';
import { ValidationError } from '../../pipeline/errors.ts';
import { minimal } from './helpers.ts';

let root: string;
let defs: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'healthscore-defs-'));
  defs = path.join(root, 'definitions');
  await mkdir(defs);
});
afterEach(() => rm(root, { recursive: true, force: true }));

async function errorOf(promise: Promise<unknown>): Promise<ValidationError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ValidationError);
  return e as ValidationError;
}

describe('loadScorecards', () => {
  it('reads every .yaml and .yml file, sorted by name, and nothing else', async () => {
    await writeFile(path.join(defs, 'b.yml'), minimal().replace('scorecard: health', 'scorecard: beta'));
    await writeFile(path.join(defs, 'a.yaml'), minimal().replace('scorecard: health', 'scorecard: alpha'));
    await writeFile(path.join(defs, 'notes.md'), '# not a scorecard');
    const cards = await loadScorecards(defs, root);
    expect(cards.map((c) => [c.id, c.file])).toEqual([
      ['alpha', 'definitions/a.yaml'],
      ['beta', 'definitions/b.yml'],
    ]);
  });

  it('returns nothing for an empty folder', async () => {
    expect(await loadScorecards(defs, root)).toEqual([]);
  });

  it('reports every problem of every file at once', async () => {
    await writeFile(path.join(defs, 'a.yaml'), minimal('    wieght: 2').replace('best: 10', 'best: ten'));
    await writeFile(path.join(defs, 'b.yaml'), minimal().replace('scorecard: health', 'scorecard: other').replace('measure: logins', 'measure: nope'));
    await writeFile(path.join(defs, 'c.yaml'), minimal('bands: []'));
    const e = await errorOf(loadScorecards(defs, root));
    expect(e.message).toBe(
      [
        'definitions/a.yaml:11 scores[0].best: expected a number',
        'definitions/a.yaml:12 scores[0].wieght: unknown key "wieght" (did you mean "weight"?)',
        'definitions/b.yaml:9 scores[0].measure: unknown measure "nope"',
        'definitions/c.yaml:12: YAML syntax error: Map keys must be unique',
      ].join('\n'),
    );
    expect(e.problems[0]).toEqual({ file: 'definitions/a.yaml', line: 11, path: 'scores[0].best', message: 'expected a number' });
  });

  it('rejects a scorecard id used by two files, even when the first has other problems', async () => {
    await writeFile(path.join(defs, 'a.yaml'), minimal('    wieght: 2'));
    await writeFile(path.join(defs, 'b.yaml'), minimal());
    const e = await errorOf(loadScorecards(defs, root));
    expect(e.message).toBe(
      [
        'definitions/a.yaml:12 scores[0].wieght: unknown key "wieght" (did you mean "weight"?)',
        'definitions/b.yaml:1 scorecard: duplicate scorecard id "health" (also in definitions/a.yaml)',
      ].join('\n'),
    );
  });

  it('says so when the folder does not exist', async () => {
    const e = await errorOf(loadScorecards(path.join(root, 'nope'), root));
    expect(e.message).toBe('nope: the definitions folder does not exist');
  });

  it('says so when given a definition file instead of its folder (backtest --compare)', async () => {
    await writeFile(path.join(defs, 'a.yaml'), minimal());
    const e = await errorOf(loadScorecards(path.join(defs, 'a.yaml'), root));
    expect(e.message).toBe('definitions/a.yaml: is a file, not a definitions folder (give the folder that holds it)');
  });
});
