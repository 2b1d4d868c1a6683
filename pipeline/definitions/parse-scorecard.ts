// One definition file, text → Scorecard IR, in three passes: YAML syntax, shape (zod),
// then names and numbers (resolve). A pass runs only on what the previous one accepted,
// because references cannot be checked in a document whose shape is wrong.

import type { Problem } from '../errors.ts';
import { dataNames } from './data-names.ts';
import type { Scorecard } from '../ir/types.ts';
import { RESERVED_KEY_MESSAGE, reservedKeys } from './reserved-keys.ts';
import { resolveScorecard } from './resolve.ts';
import { checkLookBack, TOO_DEEP, tooDeep } from './run-time-limits.ts';
import { scorecardSchema } from './scorecard-schema.ts';
import { toScorecard } from './to-ir.ts';
import { definitionVersion } from './version.ts';
import { problemAt, parseYaml, type YamlSource } from './yaml-source.ts';
import { validate } from './zod-problems.ts';

export type ParsedScorecard =
  | { ok: true; scorecard: Scorecard; source: YamlSource }
  /** `source` is there when the YAML itself parsed. */
  | { ok: false; problems: Problem[]; source?: YamlSource };

/** `file` is the path relative to the project root, used in messages and the IR. */
export function parseScorecard(text: string, file: string): ParsedScorecard {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return parsed;
  const { source } = parsed;
  if (source.data === null || source.data === undefined) {
    return { ok: false, problems: [{ file, line: 1, path: '', message: 'the file is empty; expected a scorecard definition' }], source };
  }

  // Before the schema: its checker recurses once per level and would overflow the stack.
  const deep = tooDeep(source.data);
  if (deep) return { ok: false, problems: [problemAt(source, deep, TOO_DEEP)], source };
  const reserved = reservedKeys(source.data);
  if (reserved.length > 0) return { ok: false, problems: reserved.map((path) => problemAt(source, path, RESERVED_KEY_MESSAGE)), source };

  const shape = validate(scorecardSchema, source);
  if (!shape.ok) return { ...shape, source };

  const resolved = resolveScorecard(shape.value);
  // Look-backs add up along references, so they are summed only once those resolve.
  const findings = resolved.length > 0 ? resolved : checkLookBack(shape.value);
  if (findings.length > 0) {
    return { ok: false, problems: findings.map((f) => problemAt(source, f.path, f.message)), source };
  }

  const scorecard = toScorecard(shape.value, file);
  scorecard.source = { dataNames: dataNames(shape.value, source) };
  scorecard.version = definitionVersion(scorecard);
  return { ok: true, scorecard, source };
}
