import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EventSelector, Scorecard } from '../../pipeline/ir/types.ts';
import { minimal, scorecard, yaml } from './helpers.ts';

const specExample = readFileSync(new URL('./fixtures/spec-example.yaml', import.meta.url), 'utf8');

const logins: EventSelector = { kind: 'names', names: ['login'] };

describe('the SPEC §3 example', () => {
  it('parses to the expected IR', () => {
    const { version, source: _source, ...ir } = scorecard(specExample);
    expect(version).toMatch(/^[0-9a-f]{16}$/);
    expect(ir).toEqual({
      id: 'customer_health',
      name: 'Customer health',
      description: 'Overall health of paying customers',
      segment: 'paying',
      scale: 10,
      bands: [
        { label: 'red', from: 0 },
        { label: 'yellow', from: 3 },
        { label: 'green', from: 7 },
      ],
      groups: {
        outcomes: { weight: 50, combine: 'average' },
        usage: { weight: 30, combine: 'average' },
        relationship: { weight: 20, combine: 'average' },
      },
      segments: {
        paying: { kind: 'list', subject: { kind: 'attribute', name: 'plan' }, op: 'in', values: ['pro', 'enterprise'] },
      },
      measures: {
        logins_30d: { kind: 'event', signal: { events: logins }, aggregate: 'count', window: 30 },
        active_days_30d: { kind: 'event', signal: { events: { kind: 'any' } }, aggregate: 'active_days', window: 30 },
        tickets_30d: { kind: 'event', signal: { events: { kind: 'names', names: ['ticket_opened'] } }, aggregate: 'count', window: 30 },
        nps: { kind: 'attribute', attribute: 'nps', maxAge: 180 },
        login_trend: { kind: 'trend', of: 'logins_30d', window: 30 },
        onboarding: {
          kind: 'goal',
          signal: { events: { kind: 'names', names: ['api_call'] } },
          aggregate: 'count',
          target: 100,
          within: 90,
          since: { kind: 'first_seen' },
        },
      },
      scores: [
        {
          id: 'login_frequency',
          name: 'Login frequency',
          description: 'Logins in the last 30 days',
          tags: ['usage'],
          measure: 'logins_30d',
          scoring: { kind: 'linear', worst: 0, best: 10 },
          weight: 3,
          group: 'usage',
          missing: { kind: 'exclude' },
        },
        {
          id: 'support_load',
          name: 'support_load',
          tags: [],
          measure: 'tickets_30d',
          scoring: { kind: 'linear', worst: 10, best: 0 },
          weight: 1,
          group: 'outcomes',
          missing: { kind: 'exclude' },
        },
      ],
      insights: [
        {
          id: 'no_activity',
          name: 'No activity',
          when: { kind: 'compare', subject: { kind: 'measure', name: 'active_days_30d' }, op: 'eq', value: 0 },
          band: 'yellow',
        },
      ],
      alerts: [
        { id: 'fell_to_red', name: 'fell_to_red', when: { kind: 'band_became', band: 'red' } },
        { id: 'sharp_drop', name: 'sharp_drop', when: { kind: 'score_dropped_by', points: 2, within: 7 } },
      ],
      file: 'definitions/health.yaml',
    } satisfies Omit<Scorecard, 'version'>);
  });
});

describe('defaults and normalisation', () => {
  it('fills name, scale, weight, missing and tags', () => {
    const sc = scorecard(minimal());
    expect(sc.name).toBe('health');
    expect(sc.scale).toBe(10);
    expect(sc.groups).toBeUndefined();
    expect(sc.segments).toEqual({});
    expect(sc.insights).toEqual([]);
    expect(sc.alerts).toEqual([]);
    expect(sc.scores[0]).toEqual({
      id: 'logins',
      name: 'logins',
      tags: [],
      measure: 'logins',
      scoring: { kind: 'linear', worst: 0, best: 10 },
      weight: 2,
      missing: { kind: 'exclude' },
    });
  });

  it('maps impact to weight 0/1/2/3 and keeps an explicit weight', () => {
    const weights = (['none', 'low', 'medium', 'high'] as const).map(
      (impact) => scorecard(minimal(`    impact: ${impact}`)).scores[0]!.weight,
    );
    expect(weights).toEqual([0, 1, 2, 3]);
    expect(scorecard(minimal('    weight: 0.5')).scores[0]!.weight).toBe(0.5);
  });

  it('turns missing: exclude | worst | <number> into a policy', () => {
    const policy = (m: string) => scorecard(minimal(`    missing: ${m}`)).scores[0]!.missing;
    expect(policy('exclude')).toEqual({ kind: 'exclude' });
    expect(policy('worst')).toEqual({ kind: 'value', value: 0 });
    expect(policy('5')).toEqual({ kind: 'value', value: 5 });
  });

  it('names an inline measure after its score so it cannot collide', () => {
    const sc = scorecard(
      yaml(
        'scorecard: health',
        'bands: [{ label: red, from: 0 }]',
        'measures:',
        '  logins: { attribute: logins }',
        'scores:',
        '  - id: logins',
        '    measure: { event: login, window: 7d }',
        '    worst: 0',
        '    best: 5',
      ),
    );
    expect(sc.scores[0]!.measure).toBe('score:logins');
    expect(sc.measures['score:logins']).toEqual({ kind: 'event', signal: { events: logins }, aggregate: 'count', window: 7 });
    expect(sc.measures['logins']).toEqual({ kind: 'attribute', attribute: 'logins' });
  });

  it('reads steps, map, own bands, segment and combine', () => {
    const sc = scorecard(
      yaml(
        'scorecard: health',
        'scale: 100',
        'bands: [{ label: red, from: 0 }, { label: green, from: 50 }]',
        'groups: { usage: { weight: 1, combine: lowest } }',
        'segments:',
        '  big: { any: [{ attribute: seats, gte: 100 }, { not: { attribute: plan, missing: true } }] }',
        'measures:',
        '  logins: { event: [logout, login, login], window: 30d }',
        '  plan: { attribute: plan }',
        'scores:',
        '  - id: logins',
        '    measure: logins',
        '    steps: [{ below: 1, score: 0 }, { below: 5, score: 50 }, { score: 100 }]',
        '    bands: [{ label: low, from: 0 }, { label: high, from: 60 }]',
        '    segment: big',
        '    group: usage',
        '  - id: plan',
        '    measure: plan',
        '    map: { enterprise: 100, pro: 70, free: 0 }',
        '    group: usage',
      ),
    );
    expect(sc.groups).toEqual({ usage: { weight: 1, combine: 'lowest' } });
    expect(sc.segments['big']).toEqual({
      kind: 'any',
      conditions: [
        { kind: 'compare', subject: { kind: 'attribute', name: 'seats' }, op: 'gte', value: 100 },
        { kind: 'not', condition: { kind: 'missing', subject: { kind: 'attribute', name: 'plan' }, missing: true } },
      ],
    });
    // Event names are sorted and deduplicated: the same signal however it is written.
    expect(sc.measures['logins']).toMatchObject({ signal: { events: { kind: 'names', names: ['login', 'logout'] } } });
    expect(sc.scores[0]).toMatchObject({
      scoring: { kind: 'steps', steps: [{ below: 1, score: 0 }, { below: 5, score: 50 }, { score: 100 }] },
      bands: [{ label: 'low', from: 0 }, { label: 'high', from: 60 }],
      segment: 'big',
    });
    expect(sc.scores[1]!.scoring).toEqual({ kind: 'map', map: { enterprise: 100, pro: 70, free: 0 } });
  });

  it('reads event aggregates with property and where, ratio, and trend windows', () => {
    const sc = scorecard(
      yaml(
        'scorecard: health',
        'bands: [{ label: red, from: 0 }]',
        'measures:',
        '  revenue: { event: purchase, aggregate: sum, property: amount, window: 90d,',
        '             where: { all: [{ property: currency, eq: EUR }, { property: country, not_in: [FR, DE] }] } }',
        '  users: { event: "*", aggregate: distinct_users, window: 7d }',
        '  per_user: { ratio: [revenue, users] }',
        '  growth: { trend: revenue }',
        '  user_trend: { trend: per_user, window: 14d }',
        '  seats: { attribute: seats }',
        '  seat_goal: { goal: { event: invite, aggregate: active_days, target: 10, within: 30d, since: contract_start } }',
      ),
    );
    expect(sc.measures).toMatchObject({
      revenue: {
        kind: 'event',
        aggregate: 'sum',
        window: 90,
        signal: {
          events: { kind: 'names', names: ['purchase'] },
          property: 'amount',
          where: {
            kind: 'all',
            conditions: [
              { kind: 'compare', subject: { kind: 'property', name: 'currency' }, op: 'eq', value: 'EUR' },
              { kind: 'list', subject: { kind: 'property', name: 'country' }, op: 'not_in', values: ['FR', 'DE'] },
            ],
          },
        },
      },
      per_user: { kind: 'ratio', numerator: 'revenue', denominator: 'users' },
      growth: { kind: 'trend', of: 'revenue', window: 90 },
      user_trend: { kind: 'trend', of: 'per_user', window: 14 },
      seat_goal: { kind: 'goal', aggregate: 'active_days', target: 10, within: 30, since: { kind: 'attribute', attribute: 'contract_start' } },
    });
  });

  it('reads a distinct count of a property; of user_id, it is distinct_users', () => {
    const sc = scorecard(
      yaml(
        'scorecard: health',
        'bands: [{ label: red, from: 0 }]',
        'measures:',
        '  features: { event: feature_used, aggregate: distinct, property: feature, window: 30d, where: { property: plan, eq: pro } }',
        '  users: { event: [login, export], aggregate: distinct, property: user_id, window: 7d }',
        '  same_users: { event: [export, login], aggregate: distinct_users, window: 7d }',
      ),
    );
    expect(sc.measures['features']).toEqual({
      kind: 'event',
      aggregate: 'distinct',
      window: 30,
      signal: {
        events: { kind: 'names', names: ['feature_used'] },
        property: 'feature',
        where: { kind: 'compare', subject: { kind: 'property', name: 'plan' }, op: 'eq', value: 'pro' },
      },
    });
    expect(sc.measures['users']).toEqual({ kind: 'event', aggregate: 'distinct_users', window: 7, signal: { events: { kind: 'names', names: ['export', 'login'] } } });
    expect(sc.measures['users']).toEqual(sc.measures['same_users']);
  });

  it('accepts a scorecard with no scores', () => {
    const sc = scorecard(yaml('scorecard: empty', 'bands: [{ label: ok, from: 0 }]', 'scores: []'));
    expect(sc.scores).toEqual([]);
  });
});

describe('names are plain data', () => {
  it("keeps quotes and semicolons in names exactly as written", () => {
    const sc = scorecard(
      yaml(
        'scorecard: health',
        'bands: [{ label: "it\'s; red", from: 0 }]',
        'segments:',
        '  "a\\"b": { attribute: "plan\'); DROP TABLE accounts; --", eq: "x\' OR 1=1" }',
        'measures:',
        '  "drops; --": { event: "it\'s; drop table x", window: 7d, where: { property: "p\\"q", eq: "\'" } }',
        'scores:',
        '  - id: drops',
        '    measure: "drops; --"',
        '    worst: 0',
        '    best: 1',
        'insights:',
        '  - { id: "x; y", when: { measure: "drops; --", gt: 0 }, band: "it\'s; red", segment: "a\\"b" }',
      ),
    );
    expect(sc.bands[0]!.label).toBe("it's; red");
    expect(sc.segments['a"b']).toEqual({
      kind: 'compare',
      subject: { kind: 'attribute', name: "plan'); DROP TABLE accounts; --" },
      op: 'eq',
      value: "x' OR 1=1",
    });
    expect(sc.measures['drops; --']).toEqual({
      kind: 'event',
      signal: {
        events: { kind: 'names', names: ["it's; drop table x"] },
        where: { kind: 'compare', subject: { kind: 'property', name: 'p"q' }, op: 'eq', value: "'" },
      },
      aggregate: 'count',
      window: 7,
    });
    expect(sc.scores[0]!.measure).toBe('drops; --');
    expect(sc.insights[0]!.id).toBe('x; y');
  });
});
