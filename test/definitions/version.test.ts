import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../pipeline/definitions/version.ts';
import { minimal, scorecard, yaml } from './helpers.ts';

const version = (text: string) => scorecard(text).version;

const block = yaml(
  'scorecard: health',
  'bands:',
  '  - label: red',
  '    from: 0',
  '  - label: green',
  '    from: 7',
  'groups:',
  '  usage: { weight: 1 }',
  '  outcomes: { weight: 2 }',
  'measures:',
  '  logins:',
  '    event: login',
  '    window: 30d',
  '  nps: { attribute: nps }',
  'scores:',
  '  - id: logins',
  '    measure: logins',
  '    worst: 0',
  '    best: 10',
  '    group: usage',
);

describe('definition_version', () => {
  it('is 16 hex characters', () => {
    expect(version(block)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('ignores formatting, comments and key order', () => {
    const reordered = yaml(
      '# The health of our customers.',
      'measures: { nps: { attribute: nps }, logins: { window: 30d, event: login } }   # flow style',
      'scores: [{ best: 10, group: usage, measure: logins, id: logins, worst: 0.0 }]',
      'groups:',
      '  outcomes:',
      '    weight: 2',
      '  usage:',
      '    weight: 1',
      'bands: [{ from: 0, label: red }, { label: "green", from: 7 }]',
      "scorecard: 'health'",
    );
    expect(version(reordered)).toBe(version(block));
  });

  it('ignores spelling out a default, and where the file is', () => {
    const explicit = block
      .replace('scorecard: health', 'scorecard: health\nname: health\nscale: 10')
      .replace('    group: usage', '    group: usage\n    impact: medium\n    missing: exclude\n    tags: []');
    expect(version(explicit)).toBe(version(block));
  });

  it('ignores documentation: names, descriptions and tags', () => {
    const documented = block
      .replace('scorecard: health', 'scorecard: health\nname: Health of paying customers\ndescription: Reworded')
      .replace('    group: usage', '    group: usage\n    name: Logins\n    description: Logins in 30 days\n    tags: [usage]');
    expect(version(documented)).toBe(version(block));
  });

  it('changes with a semantic change', () => {
    const base = version(block);
    expect(version(block.replace('best: 10', 'best: 11'))).not.toBe(base);
    expect(version(block.replace('window: 30d', 'window: 31d'))).not.toBe(base);
    expect(version(block.replace('from: 7', 'from: 6'))).not.toBe(base);
    expect(version(block.replace('usage: { weight: 1 }', 'usage: { weight: 1, combine: lowest }'))).not.toBe(base);
  });

  it('differs between scorecards', () => {
    expect(version(minimal())).not.toBe(version(block));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
});
