// Every message is checked exactly: file:line path: message. `minimal()` is 11 lines, so
// anything it is given starts at line 12.

import { describe, expect, it } from 'vitest';
import { minimal, problems, yaml } from './helpers.ts';

const at = (line: number, rest: string) => `definitions/health.yaml:${line} ${rest}`;

describe('unknown keys', () => {
  it('at the top level', () => {
    expect(problems(minimal('wieght: 2'))).toEqual([at(12, 'wieght: unknown key "wieght"')]);
  });

  it('in a score, with a suggestion', () => {
    expect(problems(minimal('    wieght: 2'))).toEqual([
      at(12, 'scores[0].wieght: unknown key "wieght" (did you mean "weight"?)'),
    ]);
  });

  it('in a group, on the line of the key; the missing key on the line of its parent', () => {
    expect(problems(minimal('    group: usage', 'groups:', '  usage:', '    wieght: 50'))).toEqual([
      at(14, 'groups.usage.weight: missing required key "weight"'),
      at(15, 'groups.usage.wieght: unknown key "wieght" (did you mean "weight"?)'),
    ]);
  });

  it('in a measure written in flow style', () => {
    const text = minimal().replace('window: 30d }', 'window: 30d, wndow: 7d }');
    expect(problems(text)).toEqual([at(6, 'measures.logins.wndow: unknown key "wndow" (did you mean "window"?)')]);
  });

  it('deep inside a condition', () => {
    expect(problems(minimal('segments:', '  paying: { all: [{ attribute: plan, eq: pro, extra: 1 }] }'))).toEqual([
      at(13, 'segments.paying.all[0].extra: unknown key "extra"'),
    ]);
  });

  it('instead of the key that says what a measure is', () => {
    expect(problems(minimal('  - id: other', '    measure: { evnt: login, window: 7d }', '    worst: 0', '    best: 1'))).toEqual([
      at(13, 'scores[1].measure.evnt: unknown key "evnt" (did you mean "event"?)'),
    ]);
  });

  it('in an alert condition', () => {
    expect(problems(minimal('alerts:', '  - { id: drop, when: { score_dropped: 2, within: 7d } }'))).toEqual([
      at(13, 'alerts[0].when.score_dropped: unknown key "score_dropped" (did you mean "score_dropped_by"?)'),
    ]);
  });
});

describe('wrong types and values', () => {
  it('a number written as text', () => {
    expect(problems(minimal().replace('best: 10', 'best: ten'))).toEqual([at(11, 'scores[0].best: expected a number')]);
  });

  it('a list where a mapping is expected, and a mapping where a list is expected', () => {
    expect(problems(minimal('groups: [usage]', 'insights: { id: x }'))).toEqual([
      at(12, 'groups: expected a mapping'),
      at(13, 'insights: expected a list'),
    ]);
  });

  it('an unknown impact', () => {
    expect(problems(minimal('    impact: huge'))).toEqual([
      at(12, 'scores[0].impact: expected one of none, low, medium, high'),
    ]);
  });

  it('a measure that is neither a name nor a mapping', () => {
    expect(problems(minimal('  - { id: x, measure: 5, worst: 0, best: 1 }'))).toEqual([
      at(12, 'scores[1].measure: expected a measure name or a measure (a mapping with event, attribute, trend, ratio or goal)'),
    ]);
  });

  it('a missing required key, on the line of the mapping that lacks it', () => {
    expect(problems(minimal('  - measure: logins', '    worst: 0', '    best: 1'))).toEqual([
      at(12, 'scores[1].id: missing required key "id"'),
    ]);
    expect(problems(minimal().replace('window: 30d', 'aggregate: count'))).toEqual([
      at(6, 'measures.logins.window: missing required key "window"'),
    ]);
  });

  it('an id that is not lower snake case', () => {
    expect(problems(minimal().replace('scorecard: health', 'scorecard: Health-Card'))).toEqual([
      at(1, 'scorecard: expected a lower snake case id like "login_frequency"'),
    ]);
  });

  it('a negative weight, and impact together with weight', () => {
    expect(problems(minimal('    weight: -1'))).toEqual([at(12, 'scores[0].weight: must be at least 0')]);
    expect(problems(minimal('    impact: high', '    weight: 2'))).toEqual([
      at(13, 'scores[0].weight: set impact or weight, not both'),
    ]);
  });

  it('a score with no way of scoring, or two', () => {
    expect(problems(minimal('  - { id: x, measure: logins }'))).toEqual([
      at(12, 'scores[1]: a score needs worst and best, steps, or map'),
    ]);
    expect(problems(minimal('    map: { a: 1 }'))).toEqual([
      at(8, 'scores[0]: a score is scored one way: worst/best or map, not several'),
    ]);
    expect(problems(minimal('  - { id: x, measure: logins, worst: 0 }'))).toEqual([
      at(12, 'scores[1].best: missing required key "best" (a linear score needs worst and best)'),
    ]);
  });

  it('a condition with no operator, or two', () => {
    expect(problems(minimal('segments:', '  a: { attribute: plan }', '  b: { attribute: plan, eq: x, ne: y }'))).toEqual([
      at(13, 'segments.a: a condition needs one operator: eq, ne, lt, lte, gt, gte, in, not_in, missing'),
      at(14, 'segments.b: a condition takes one operator, found eq and ne'),
    ]);
  });

  it('a property condition outside where, and an attribute condition inside it', () => {
    expect(
      problems(
        minimal('segments:', '  a: { property: plan, eq: x }').replace('window: 30d }', 'window: 30d, where: { attribute: plan, eq: x } }'),
      ),
    ).toEqual([
      at(6, 'measures.logins.where.attribute: a where condition tests event properties: write { property: name, ... }'),
      at(13, 'segments.a.property: property conditions are only allowed in the where of an event measure'),
    ]);
  });

  it('a goal whose aggregate does not add up', () => {
    const text = yaml(
      'scorecard: health',
      'bands: [{ label: red, from: 0 }]',
      'measures:',
      '  seats: { goal: { event: login, aggregate: distinct_users, target: 5, within: 30d, since: first_seen } }',
    );
    expect(problems(text)).toEqual([
      at(4, 'measures.seats.goal.aggregate: a goal adds up progress, so its aggregate is count, active_days or sum, not distinct_users'),
    ]);
  });

  it('sum without a property, and a property that count would ignore', () => {
    const text = yaml(
      'scorecard: health',
      'bands: [{ label: red, from: 0 }]',
      'measures:',
      '  total: { event: buy, aggregate: sum, window: 7d }',
      '  n: { event: buy, property: x, window: 7d }',
      '  all: { event: [buy, "*"], window: 7d }',
    );
    expect(problems(text)).toEqual([
      at(4, 'measures.total.property: missing required key "property" (aggregate sum reads a numeric event property)'),
      at(5, 'measures.n.property: property is only read by sum, avg, min, max and distinct, not by count'),
      at(6, 'measures.all.event: "*" means every event; write event: "*" on its own'),
    ]);
  });
});

describe('distinct counts', () => {
  it('need a property, which distinct_users and active_days do not read, and are no goal', () => {
    const text = yaml(
      'scorecard: health',
      'bands: [{ label: red, from: 0 }]',
      'measures:',
      '  features: { event: feature_used, aggregate: distinct, window: 30d }',
      '  users: { event: "*", aggregate: distinct_users, property: feature, window: 30d }',
      '  days: { event: "*", aggregate: active_days, property: feature, window: 30d }',
      '  tried: { goal: { event: feature_used, aggregate: distinct, property: feature, target: 5, within: 30d, since: first_seen } }',
      '  typo: { event: feature_used, aggregate: distinkt, property: feature, window: 30d }',
    );
    expect(problems(text)).toEqual([
      at(4, 'measures.features.property: missing required key "property" (aggregate distinct counts the different values of an event property)'),
      at(5, 'measures.users.property: distinct_users counts users and reads no property: write aggregate: distinct to count the different values of a property'),
      at(6, 'measures.days.property: property is only read by sum, avg, min, max and distinct, not by active_days'),
      at(7, 'measures.tried.goal.aggregate: a goal adds up progress, so its aggregate is count, active_days or sum, not distinct'),
      at(8, 'measures.typo.aggregate: expected one of count, active_days, distinct_users, distinct, sum, avg, min, max'),
    ]);
  });
});

describe('durations', () => {
  it.each([
    ['30', 'expected a duration like "30d" (a positive whole number of days)'],
    ['30days', 'expected a duration like "30d" (a positive whole number of days)'],
    ['0d', 'expected a duration like "30d" (a positive whole number of days)'],
    ['1.5d', 'expected a duration like "30d" (a positive whole number of days)'],
    ['4w', 'expected a duration like "30d" (a positive whole number of days)'],
  ])('rejects window: %s', (value, message) => {
    expect(problems(minimal().replace('window: 30d', `window: ${value}`))).toEqual([at(6, `measures.logins.window: ${message}`)]);
  });
});

describe('names', () => {
  it('an unknown measure, with a suggestion', () => {
    expect(problems(minimal().replace('measure: logins', 'measure: login'))).toEqual([
      at(9, 'scores[0].measure: unknown measure "login" (did you mean "logins"?)'),
    ]);
  });

  it('unknown measures in trend, ratio and conditions', () => {
    expect(
      problems(
        minimal(
          'insights:',
          '  - { id: quiet, when: { measure: active_days, eq: 0 } }',
        ).replace('measures:', 'measures:\n  t: { trend: nope }\n  r: { ratio: [logins, nada] }'),
      ),
    ).toEqual([
      at(6, 'measures.t.trend: unknown measure "nope"'),
      at(7, 'measures.r.ratio[1]: unknown measure "nada"'),
      at(15, 'insights[0].when.measure: unknown measure "active_days"'),
    ]);
  });

  it('a measure cycle a → b → a, named once', () => {
    expect(problems(minimal().replace('measures:', 'measures:\n  a: { trend: b, window: 7d }\n  b: { ratio: [a, logins] }'))).toEqual([
      at(6, 'measures.a.trend: measure cycle: a → b → a'),
    ]);
  });

  it('a measure that refers to itself', () => {
    expect(problems(minimal().replace('measures:', 'measures:\n  a: { trend: a, window: 7d }'))).toEqual([
      at(6, 'measures.a.trend: measure cycle: a → a'),
    ]);
  });

  it('a trend of a measure that is not an event measure needs a window', () => {
    expect(problems(minimal().replace('measures:', 'measures:\n  nps: { attribute: nps }\n  t: { trend: nps }'))).toEqual([
      at(7, 'measures.t.window: missing required key "window" (a trend of "nps", which is not an event measure, needs one)'),
    ]);
  });

  it('a measure name with the reserved inline prefix', () => {
    expect(problems(minimal().replace('measures:', 'measures:\n  "score:x": { attribute: x }'))).toEqual([
      at(6, 'measures["score:x"]: measure names starting with "score:" are reserved for measures written inline in a score'),
    ]);
  });

  it('a duplicate score id', () => {
    expect(problems(minimal('  - { id: logins, measure: logins, worst: 0, best: 5 }'))).toEqual([
      at(12, 'scores[1].id: duplicate id "logins" (also scores[0])'),
    ]);
  });

  it('a score without a group when groups are defined, and an unknown group', () => {
    expect(
      problems(minimal('    group: usag', '  - { id: other, measure: logins, worst: 0, best: 5 }', 'groups:', '  usage: { weight: 1 }')),
    ).toEqual([
      at(12, 'scores[0].group: unknown group "usag" (did you mean "usage"?)'),
      at(13, 'scores[1].group: missing required key "group" (groups are defined, so every score names one)'),
    ]);
  });

  it('a group when no groups are defined', () => {
    expect(problems(minimal('    group: usage'))).toEqual([
      at(12, 'scores[0].group: unknown group "usage" (this scorecard defines no groups)'),
    ]);
  });

  it('unknown segments', () => {
    expect(problems(minimal('    segment: payng', 'segment: paying', 'segments:', '  paying: { attribute: plan, eq: pro }'))).toEqual([
      at(12, 'scores[0].segment: unknown segment "payng" (did you mean "paying"?)'),
    ]);
    expect(problems(minimal('segment: paying'))).toEqual([
      at(12, 'segment: unknown segment "paying" (this scorecard defines no segments)'),
    ]);
  });

  it('an insight band and an alert band that are not bands of the scorecard', () => {
    expect(
      problems(minimal('insights:', '  - { id: quiet, when: { measure: logins, eq: 0 }, band: yellow }', 'alerts:', '  - { id: red, when: { band_became: redd } }')),
    ).toEqual([
      at(13, "insights[0].band: unknown band \"yellow\" (the scorecard's bands are red, green)"),
      at(15, "alerts[0].when.band_became: unknown band \"redd\" (the scorecard's bands are red, green)"),
    ]);
  });
});

describe('bands and scoring', () => {
  it('bands out of order', () => {
    expect(problems(minimal().replace('from: 7', 'from: 0'))).toEqual([
      at(4, 'bands[1].from: bands are listed worst first, so from must increase: 0 is not above 0'),
    ]);
  });

  it('a first band that does not start at 0, a band above the scale, a duplicate label', () => {
    const text = minimal().replace('{ label: red, from: 0 }', '{ label: red, from: 1 }').replace('{ label: green, from: 7 }', '{ label: red, from: 12 }');
    expect(problems(text)).toEqual([
      at(3, 'bands[0].from: the first band must start at 0, the worst score (found 1)'),
      at(4, 'bands[1].from: from 12 is above the scale (10)'),
      at(4, 'bands[1].label: duplicate band label "red"'),
    ]);
  });

  it("a score's own bands are checked the same way", () => {
    expect(problems(minimal('    bands: [{ label: low, from: 5 }, { label: high, from: 2 }]'))).toEqual([
      at(12, 'scores[0].bands[0].from: the first band must start at 0, the worst score (found 5)'),
      at(12, 'scores[0].bands[1].from: bands are listed worst first, so from must increase: 2 is not above 5'),
    ]);
  });

  it('worst equal to best', () => {
    expect(problems(minimal().replace('best: 10', 'best: 0'))).toEqual([
      at(11, 'scores[0].best: worst and best must differ (both are 0)'),
    ]);
  });

  it('steps: below only on the last, increasing, scores on the scale', () => {
    const text = yaml(
      'scorecard: health',
      'bands: [{ label: red, from: 0 }]',
      'measures: { m: { attribute: m } }',
      'scores:',
      '  - id: s',
      '    measure: m',
      '    steps:',
      '      - { below: 5, score: 0 }',
      '      - { score: 5 }',
      '      - { below: 5, score: 11 }',
      '    missing: -1',
    );
    expect(problems(text)).toEqual([
      at(9, 'scores[0].steps[1].below: missing required key "below" (only the last step has none)'),
      at(10, 'scores[0].steps[2].below: the last step has no below: it scores every value above the previous step'),
      at(10, 'scores[0].steps[2].below: below must increase from step to step: 5 is not above 5'),
      at(10, 'scores[0].steps[2].score: must be between 0 and the scale (10), found 11'),
      at(11, 'scores[0].missing: must be between 0 and the scale (10), found -1'),
    ]);
  });
});

describe('YAML itself', () => {
  it('a syntax error, with its line', () => {
    expect(problems(minimal('insights: [1, 2'))).toEqual([
      'definitions/health.yaml:13: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('a duplicate key', () => {
    expect(problems(minimal('scores: []'))).toEqual(['definitions/health.yaml:12: YAML syntax error: Map keys must be unique']);
  });

  it('an empty file, and a file that is not a mapping', () => {
    expect(problems('')).toEqual(['definitions/health.yaml:1: the file is empty; expected a scorecard definition']);
    expect(problems('- a\n')).toEqual(['definitions/health.yaml:1: expected a mapping']);
  });
});
