// Names are looked up as the scorecard's own: a name that JavaScript objects inherit
// (toString, constructor, hasOwnProperty, __proto__) is unknown like any other, and
// `__proto__` cannot be defined (it would replace an object's prototype, not add a name).
import { describe, expect, it } from 'vitest';
import { FILE, minimal, problems, scorecard } from './helpers.ts';

describe('references to inherited names are unknown names', () => {
  it.each([
    ['a score measure', ['    measure: toString'], `${FILE}:9 scores[0].measure: unknown measure "toString"`],
    ['the scorecard segment', ['segment: constructor'], `${FILE}:12 segment: unknown segment "constructor" (this scorecard defines no segments)`],
    ['a score segment', ['    segment: __proto__'], `${FILE}:12 scores[0].segment: unknown segment "__proto__" (this scorecard defines no segments)`],
    ['a trend', ['  - { id: t, measure: { trend: hasOwnProperty, window: 7d }, worst: 0, best: 1 }'], `${FILE}:12 scores[1].measure.trend: unknown measure "hasOwnProperty"`],
    ['a ratio', ['  - { id: r, measure: { ratio: [logins, valueOf] }, worst: 0, best: 1 }'], `${FILE}:12 scores[1].measure.ratio[1]: unknown measure "valueOf"`],
    ['an insight measure', ['insights:', '  - { id: i, when: { measure: constructor, gt: 1 } }'], `${FILE}:13 insights[0].when.measure: unknown measure "constructor"`],
    ['a band', ['alerts:', '  - { id: a, when: { band_became: toString } }'], `${FILE}:13 alerts[0].when.band_became: unknown band "toString" (the scorecard's bands are red, green)`],
  ])('%s', (_, extra, expected) => {
    const text = extra[0]!.startsWith('    measure:') ? minimal().replace('    measure: logins', extra[0]!) : minimal(...extra);
    expect(problems(text)).toEqual([expected]);
  });

  it('a group', () => {
    const text = minimal('    group: __proto__', 'groups:', '  usage: { weight: 1 }');
    expect(problems(text)).toEqual([`${FILE}:12 scores[0].group: unknown group "__proto__"`]);
    expect(problems(minimal('    group: toString', 'groups:', '  usage: { weight: 1 }'))).toEqual([`${FILE}:12 scores[0].group: unknown group "toString"`]);
  });
});

describe('defining inherited names', () => {
  it('constructor and toString are ordinary measure, segment and group names', () => {
    const s = scorecard(
      minimal(
        '    segment: constructor',
        '    group: toString',
        'groups:',
        '  toString: { weight: 1 }',
        'segments:',
        '  constructor: { measure: constructor, gt: 0 }',
      ).replace('  logins: { event: login, window: 30d }', '  logins: { event: login, window: 30d }\n  constructor: { event: login, window: 7d }'),
    );
    expect(Object.keys(s.measures)).toEqual(['logins', 'constructor']);
    expect(Object.keys(s.segments)).toEqual(['constructor']);
    expect(Object.keys(s.groups ?? {})).toEqual(['toString']);
  });

  it('__proto__ as a key is refused where it is written', () => {
    const text = minimal('groups:', '  __proto__: { weight: 1 }', 'segments:', '  ok: { attribute: plan, eq: x }', '  x: { attribute: plan, in: [a] }').replace(
      '  logins: { event: login, window: 30d }',
      '  logins: { event: login, window: 30d }\n  __proto__: { event: login, window: 7d }',
    );
    expect(problems(text)).toEqual([
      `${FILE}:7 measures.__proto__: "__proto__" cannot be used as a name or key`,
      `${FILE}:14 groups.__proto__: "__proto__" cannot be used as a name or key`,
    ]);
    expect(problems(minimal().replace('    worst: 0\n    best: 10', '    map: { __proto__: 3, ok: 1 }'))).toEqual([
      `${FILE}:10 scores[0].map.__proto__: "__proto__" cannot be used as a name or key`,
    ]);
  });
});
