// The Scorecard IR: plain, serialisable, dialect-free data. The parser produces it from
// YAML, the compiler turns it into SQL. Nothing here knows about SQL or files on disk
// except `source`, which exists only so that run-time errors can point back at the YAML.

/** A whole number of days (`30d` in YAML). */
export type Days = number;

// ---------------------------------------------------------------- conditions

export type CompareOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte';
export type ListOp = 'in' | 'not_in';
export type Literal = string | number | boolean;

/** What a condition tests: an account attribute as of D, a measure at D, or (inside an
 *  event measure's `where:`) a property of the event. */
export type Subject =
  | { kind: 'attribute'; name: string }
  | { kind: 'measure'; name: string }
  | { kind: 'property'; name: string };

export type Condition =
  | { kind: 'compare'; subject: Subject; op: CompareOp; value: Literal }
  | { kind: 'list'; subject: Subject; op: ListOp; values: Literal[] }
  | { kind: 'missing'; subject: Subject; missing: boolean }
  | { kind: 'all'; conditions: Condition[] }
  | { kind: 'any'; conditions: Condition[] }
  | { kind: 'not'; condition: Condition };

// ---------------------------------------------------------------- measures

/** `distinct_users`: different user ids; `distinct`: different non-null values of the
 *  signal's property, compared as text. */
export type EventAggregate = 'count' | 'active_days' | 'distinct_users' | 'distinct' | 'sum' | 'avg' | 'min' | 'max';

/** Which events a measure reads: a list of names, or every event (`"*"`). */
export type EventSelector = { kind: 'any' } | { kind: 'names'; names: string[] };

/** Events aggregated per account and day before any window is applied. Two measures with
 *  the same signal share one daily column. */
export interface Signal {
  events: EventSelector;
  /** Event property read by sum/avg/min/max (as a number) or by distinct (as text). */
  property?: string;
  where?: Condition;
}

export interface EventMeasure {
  kind: 'event';
  signal: Signal;
  aggregate: EventAggregate;
  window: Days;
}

export interface AttributeMeasure {
  kind: 'attribute';
  attribute: string;
  /** Older observations count as missing, with status `stale`. */
  maxAge?: Days;
}

export interface TrendMeasure {
  kind: 'trend';
  of: string;
  /** Resolved by the parser: an event measure's own window unless given. */
  window: Days;
}

export interface RatioMeasure {
  kind: 'ratio';
  numerator: string;
  denominator: string;
}

/** A start day: the account's first day, or a date held by an attribute (as of D). */
export type Since = { kind: 'first_seen' } | { kind: 'attribute'; attribute: string };

export interface GoalMeasure {
  kind: 'goal';
  signal: Signal;
  aggregate: EventAggregate;
  target: number;
  within: Days;
  since: Since;
}

/** Whole days from the start day to D (0 on the start day); missing before it. Not in
 *  SPEC §3.2: added so that segments like "accounts younger than 90 days" can be written. */
export interface AgeMeasure {
  kind: 'age';
  since: Since;
}

export type Measure = EventMeasure | AttributeMeasure | TrendMeasure | RatioMeasure | GoalMeasure | AgeMeasure;

// ---------------------------------------------------------------- scores

export interface Band {
  label: string;
  /** Inclusive lower bound on the score scale. Bands are stored worst first. */
  from: number;
}

export type Scoring =
  | { kind: 'linear'; worst: number; best: number }
  /** `below` is absent on the last step only. */
  | { kind: 'steps'; steps: { below?: number; score: number }[] }
  | { kind: 'map'; map: Record<string, number> };

export type MissingPolicy = { kind: 'exclude' } | { kind: 'value'; value: number };

export interface Score {
  id: string;
  name: string;
  description?: string;
  tags: string[];
  /** Name of a measure of the scorecard (inline measures get a generated name). */
  measure: string;
  scoring: Scoring;
  /** Own bands, or undefined for the scorecard's. */
  bands?: Band[];
  weight: number;
  segment?: string;
  group?: string;
  missing: MissingPolicy;
}

export type Combine = 'average' | 'lowest' | 'highest';

export interface Group {
  weight: number;
  combine: Combine;
}

export interface Insight {
  id: string;
  name: string;
  when: Condition;
  /** Caps the account's band at this label. */
  band?: string;
  segment?: string;
}

export type AlertRule =
  | { kind: 'band_became'; band: string }
  | { kind: 'score_dropped_by'; points: number; within: Days };

export interface Alert {
  id: string;
  name: string;
  when: AlertRule;
}

export interface Scorecard {
  id: string;
  name: string;
  description?: string;
  segment?: string;
  scale: number;
  bands: Band[];
  groups?: Record<string, Group>;
  segments: Record<string, Condition>;
  measures: Record<string, Measure>;
  scores: Score[];
  insights: Insight[];
  alerts: Alert[];
  /** sha256 (first 16 hex chars) of the normalised definition: formatting and key order do
   *  not change it. */
  version: string;
  /** The YAML file it was read from, relative to the project root. */
  file: string;
  /** Where the YAML says things that only the data can confirm; not part of the meaning
   *  (version.ts leaves it out, so moving a line recomputes nothing). */
  source?: { dataNames: DataName[] };
}

/** An event, event-property or attribute name as written in a scorecard (`event:`,
 *  `property:`, a `where:` property, `attribute:` in a measure or an account condition),
 *  with its place in `file`: a name the data never has gives every account 0 or a missing
 *  score, so `validate` and `run` warn about it. */
export interface DataName {
  kind: 'event' | 'property' | 'attribute';
  name: string;
  line: number;
  /** `measures.tickets_30d.event`, as in a Problem. */
  path: string;
}

// ---------------------------------------------------------------- project

export type FileFormat = 'csv' | 'parquet' | 'json';

/** What every source says, whatever it reads: the mapping and the bad-row rules. */
export interface SourceOptions {
  /** Our column name → the source's column name. */
  columns: Record<string, string>;
  /** `fail` (default): a bad row stops the load; `skip`: it goes to rejected_rows and
   *  the good rows load. */
  onBadRows?: 'fail' | 'skip';
  /** Days a timestamp may fall on; outside is a bad row. Default: 2000-01-01 to one day
   *  after the run's clock (`to` absent). */
  validRange?: { from?: string; to?: string };
  /** strptime format (DuckDB's syntax) of the time columns when they are text; typed
   *  (Parquet, JSON, a table's timestamp) time columns do not use it. */
  timestampFormat?: string;
}

/** Files: a glob, relative to the project root. */
export interface FileSource extends SourceOptions {
  path: string;
  format: FileFormat;
}

/** A table (or view) already in the warehouse, read where it is (SPEC §8). */
export interface TableSource extends SourceOptions {
  /** `schema` absent: the engine's default schema (PostgreSQL's public, DuckDB's main). */
  table: { schema?: string; name: string };
}

export type DataSource = FileSource | TableSource;

export const isTableSource = (source: DataSource): source is TableSource => 'table' in source;

/** `analytics.events`, as healthscore.yaml names it. */
export const tableName = (source: TableSource): string =>
  source.table.schema === undefined ? source.table.name : `${source.table.schema}.${source.table.name}`;

export type AttributeSource = DataSource & { layout: 'long' | 'wide' };

/** What ends a churn (SPEC §3.1): without `reactivatedBy`, the account's first event on a
 *  later day; with `events`, its first later day with one of those events; with a file
 *  (or table), its first later reactivation day in it (events then bring nobody back). */
export type Reactivation = { kind: 'events'; events: string[] } | ({ kind: 'file' } & DataSource);

/** `kind: 'file'`: rows of churn days, from files or a table. */
export type ChurnSource = (({ kind: 'file' } & DataSource) | { kind: 'event'; event: string }) & { reactivatedBy?: Reactivation };

/** Where the warehouse lives (SPEC §8): a DuckDB file, or a schema of a PostgreSQL database. */
export type WarehouseLocation =
  | {
      engine: 'duckdb';
      /** Absolute path, or ':memory:'. */
      path: string;
    }
  | {
      engine: 'postgres';
      /** The connection URL with its `${ENV_VAR}`s substituted: it may hold a password, so
       *  messages show `redactUrl(url)` instead. */
      url: string;
      /** Where the output and state tables live: a lower-case identifier. */
      schema: string;
    };

export interface ProjectConfig {
  /** Absolute path of the project folder. */
  root: string;
  warehouse: WarehouseLocation;
  timezone: string;
  startDate?: string;
  lookback: Days;
  memoryLimit?: string;
  /** DuckDB's worker threads; its default is one per core. */
  threads?: number;
  /** Absolute path of the definitions folder. */
  definitions: string;
  /** `partition`: one export file per day or per month (pipeline/export/partitions.ts). */
  export: { path: string; formats: ('parquet' | 'arrow')[]; partition: 'day' | 'month' };
  sources: {
    events: DataSource;
    attributes?: AttributeSource;
    accounts?: DataSource;
    churn?: ChurnSource;
    overrides?: DataSource;
  };
}
