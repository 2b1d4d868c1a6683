// Representative scorecards of the compile tests: their SQL is pinned in golden/, and
// same-rows.test.ts scores them on every engine.

export const DEFINITION = `scorecard: golden
bands: [{ label: red, from: 0 }, { label: yellow, from: 3 }, { label: green, from: 7 }]
segments:
  paying: { attribute: plan, in: [pro, enterprise] }
groups:
  usage: { weight: 60 }
  relationship: { weight: 40, combine: lowest }
measures:
  logins_7d: { event: login, window: 7d }
  users_7d: { event: "*", aggregate: distinct_users, window: 7d }
  big_exports: { event: export, where: { property: rows, gt: 1000 }, window: 7d }
  login_trend: { trend: logins_7d }
  per_user: { ratio: [logins_7d, users_7d] }
  nps: { attribute: nps, max_age: 90d }
scores:
  - { id: logins, measure: logins_7d, worst: 0, best: 10, impact: high, group: usage }
  - { id: per_user, measure: per_user, steps: [{ below: 1, score: 0 }, { below: 3, score: 5 }, { score: 10 }], group: usage }
  - { id: trend, measure: login_trend, worst: -0.5, best: 0.5, impact: low, group: usage, missing: 5 }
  - { id: nps, measure: nps, worst: 0, best: 10, group: relationship, segment: paying }
insights:
  - { id: idle, when: { measure: logins_7d, eq: 0 }, band: yellow }
alerts:
  - { id: became_red, when: { band_became: red } }
`;

// A distinct count of a property (with a where) and its trend: value-days, not signals.
export const DISTINCT = `scorecard: distinct
bands: [{ label: red, from: 0 }, { label: green, from: 5 }]
measures:
  features_7d: { event: feature_used, aggregate: distinct, property: feature, where: { property: plan, eq: pro }, window: 7d }
  feature_trend: { trend: features_7d }
scores:
  - { id: features, measure: features_7d, worst: 0, best: 4 }
  - { id: trend, measure: feature_trend, worst: -1, best: 1 }
`;

// Where engines' arithmetic differs: integer counts divided (active days × 100 / 7, a
// ratio and trends of integers), sums and averages of a property, text attributes mapped,
// ages, insights on missing values, and score drops.
export const ARITHMETIC = `scorecard: arith
scale: 100
bands: [{ label: low, from: 0 }, { label: mid, from: 33.3 }, { label: high, from: 66.7 }]
measures:
  active_7d: { event: "*", aggregate: active_days, window: 7d }
  active_trend: { trend: active_7d }
  logins_7d: { event: login, window: 7d }
  per_login: { ratio: [active_7d, logins_7d] }
  per_login_trend: { trend: per_login, window: 2d }
  rows_sum: { event: export, aggregate: sum, property: rows, window: 14d }
  rows_avg: { event: export, aggregate: avg, property: rows, window: 14d }
  rows_min: { event: export, aggregate: min, property: rows, window: 14d }
  rows_max: { event: export, aggregate: max, property: rows, window: 14d }
  spread: { ratio: [rows_max, rows_min] }
  age: { age: first_seen }
  plan: { attribute: plan }
scores:
  - { id: active, measure: active_7d, worst: 0, best: 7 }
  - { id: active_trend, measure: active_trend, worst: -1, best: 2, impact: low }
  - { id: per_login, measure: per_login, worst: 0, best: 3, weight: 0.5 }
  - { id: per_login_trend, measure: per_login_trend, worst: -1, best: 1, missing: worst }
  - { id: rows, measure: rows_avg, worst: 0, best: 3000, missing: 10 }
  - { id: rows_sum, measure: rows_sum, worst: 0, best: 9999, impact: none }
  - { id: spread, measure: spread, worst: 3, best: 1 }
  - { id: plan, measure: plan, map: { pro: 80, enterprise: 100, free: 20 } }
  - { id: age, measure: age, steps: [{ below: 3, score: 10 }, { below: 10, score: 50 }, { score: 90 }] }
insights:
  - { id: quiet, when: { not: { measure: logins_7d, gt: 2 } }, band: mid }
  - { id: no_nps, when: { attribute: nps, missing: true } }
  - { id: non_paying, when: { not: { attribute: plan, in: [pro, enterprise] } } }
  - { id: big, when: { any: [{ measure: rows_max, gte: 3000 }, { attribute: plan, eq: enterprise }] } }
alerts:
  - { id: drop, when: { score_dropped_by: 5, within: 2d } }
`;

// Goals (the spine strategy only): from the first day, and from a start-date attribute.
export const GOALS = `scorecard: goals
bands: [{ label: behind, from: 0 }, { label: on_track, from: 5 }]
measures:
  onboarding: { goal: { event: login, target: 10, within: 10d, since: first_seen } }
  contract: { goal: { event: export, aggregate: sum, property: rows, target: 5000, within: 5d, since: contract_start } }
  tenure: { age: contract_start }
scores:
  - { id: onboarding, measure: onboarding, worst: 0, best: 1 }
  - { id: contract, measure: contract, worst: 0, best: 1 }
  - { id: tenure, measure: tenure, worst: 0, best: 30 }
`;
