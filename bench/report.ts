import { median, type PhaseResult, type StatementTotal } from './measure.ts';
import type { BenchData } from './project.ts';

export interface ContenderRuns {
  key: string;
  label: string;
  runs: PhaseResult[];
}

export interface Target {
  name: string;
  value: number;
  limit: number;
  unit: string;
  pass: boolean;
  /** The same ratio within each repetition (contenders timed close together). */
  perRep?: number[];
}

export interface BenchReport {
  data: BenchData;
  settings: { code: string; threads: number | 'default'; memoryLimit: string | 'default'; reps: number; loadAverage: { start: number[]; end: number[] } };
  rows: { key: string; label: string; seconds: number; runs: number[]; vsHandWritten: number | null; vsFloor: number | null; peakRssBytes: number }[];
  targets: Target[];
  check?: Record<string, unknown>;
  backfillStatements: StatementTotal[];
  nightlyStatements: StatementTotal[];
  nightlyParts: Record<string, number>;
  /** Per part, seconds not spent inside a statement (COMMIT, hashing files, JS). */
  nightlyOutside: Record<string, number>;
  loadStatements: StatementTotal[];
  profile?: unknown;
  /** Wall time of the whole benchmark (generation, load, every contender, check), without --profile. */
  totalSeconds: number;
  profileSeconds?: number;
}

const GB = 1e9;
const s = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ratio = (x: number | null) => (x === null ? '—' : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`);
const gb = (bytes: number) => `${(bytes / GB).toFixed(2)} GB`;

/** Median seconds per contender; the ratios are of medians measured in the same run. */
export function buildReport(
  data: BenchData,
  contenders: ContenderRuns[],
  extra: Omit<BenchReport, 'data' | 'rows' | 'targets' | 'backfillStatements' | 'nightlyStatements' | 'nightlyParts' | 'nightlyOutside' | 'loadStatements'>,
): BenchReport {
  const med = (key: string) => {
    const c = contenders.find((x) => x.key === key);
    return c && c.runs.length ? median(c.runs.map((r) => r.seconds)) : NaN;
  };
  const floor = med('floor');
  const hand = med('handwritten');
  const rows = contenders.map((c) => {
    const secs = median(c.runs.map((r) => r.seconds));
    const comparable = c.key !== 'load' && c.key !== 'backtest';
    return {
      key: c.key,
      label: c.label,
      seconds: secs,
      runs: c.runs.map((r) => r.seconds),
      vsHandWritten: comparable && Number.isFinite(hand) ? secs / hand : null,
      vsFloor: comparable && Number.isFinite(floor) ? secs / floor : null,
      peakRssBytes: Math.max(...c.runs.map((r) => r.peakRssBytes)),
    };
  });
  const backfill = med('backfill');
  const nightly = med('nightly');
  const pipelinePeak = Math.max(...contenders.filter((c) => ['load', 'backfill', 'export', 'nightly'].includes(c.key)).flatMap((c) => c.runs.map((r) => r.peakRssBytes)));
  const times = (key: string) => contenders.find((c) => c.key === key)?.runs.map((r) => r.seconds) ?? [];
  const paired = (a: string, b: string) => times(a).flatMap((x, i) => (times(b)[i] === undefined ? [] : [x / times(b)[i]!]));
  const targets: Target[] = [
    { name: 'full backfill ≤ 1.0× hand-written', value: backfill / hand, limit: 1, unit: '×', pass: backfill / hand <= 1, perRep: paired('backfill', 'handwritten') },
    { name: 'full backfill ≤ 4× floor', value: backfill / floor, limit: 4, unit: '×', pass: backfill / floor <= 4, perRep: paired('backfill', 'floor') },
    { name: 'nightly ≤ 0.1× full backfill', value: nightly / backfill, limit: 0.1, unit: '×', pass: nightly / backfill <= 0.1, perRep: paired('nightly', 'backfill') },
    { name: 'peak memory ≤ 3 GB (load, backfill, export, nightly)', value: pipelinePeak / GB, limit: 3, unit: 'GB', pass: pipelinePeak <= 3 * GB },
  ];
  const statementMedians = (key: string): StatementTotal[] => {
    const runs = contenders.find((c) => c.key === key)?.runs ?? [];
    const labels = [...new Set(runs.flatMap((r) => (r.statements ?? []).map((t) => t.label)))];
    return labels.map((label) => {
      const per = runs.map((r) => r.statements?.find((t) => t.label === label));
      return {
        label,
        seconds: median(per.map((t) => t?.seconds ?? 0)),
        count: per[0]?.count ?? 0,
        peakRssBytes: Math.max(...per.map((t) => t?.peakRssBytes ?? 0)),
      };
    });
  };
  const nightlyRuns = contenders.find((c) => c.key === 'nightly')?.runs ?? [];
  const partNames = [...new Set(nightlyRuns.flatMap((r) => Object.keys((r.details?.['parts'] as Record<string, number>) ?? {})))];
  const nightlyParts = Object.fromEntries(partNames.map((p) => [p, median(nightlyRuns.map((r) => (r.details?.['parts'] as Record<string, number>)?.[p] ?? 0))]));
  const nightlyOutside = Object.fromEntries(partNames.map((p) => [p, median(nightlyRuns.map((r) => (r.details?.['outside'] as Record<string, number>)?.[p] ?? 0))]));
  return {
    data,
    rows,
    targets,
    backfillStatements: statementMedians('backfill'),
    nightlyStatements: statementMedians('nightly'),
    nightlyParts,
    nightlyOutside,
    loadStatements: statementMedians('load'),
    ...extra,
  };
}

export function markdown(report: BenchReport): string {
  const { data, settings } = report;
  const out: string[] = [];
  out.push(
    `**${data.accounts.toLocaleString('en')} accounts, ${data.events.toLocaleString('en')} events, ${data.days} days` +
      ` (seed ${data.seed}; ${data.eventsOnLastDay.toLocaleString('en')} events on ${data.lastDay} held back for the nightly)**`,
    '',
    `code: ${settings.code}; threads: ${settings.threads}, memory_limit: ${settings.memoryLimit}, median of ${settings.reps} run(s) per contender` +
      ` (order alternated), load average ${settings.loadAverage.start.map((x) => x.toFixed(1)).join('/')} at start,` +
      ` ${settings.loadAverage.end.map((x) => x.toFixed(1)).join('/')} at end; each phase in its own process.`,
    '',
    '| phase | seconds | runs | × hand-written | × floor | peak RSS |',
    '| --- | ---: | --- | ---: | ---: | ---: |',
  );
  for (const r of report.rows) {
    out.push(`| ${r.label} | ${s(r.seconds)} | ${r.runs.map(s).join(', ')} | ${ratio(r.vsHandWritten)} | ${ratio(r.vsFloor)} | ${gb(r.peakRssBytes)} |`);
  }
  out.push('', '| target | measured (of medians) | within each repetition | result |', '| --- | ---: | ---: | --- |');
  for (const t of report.targets) {
    const measured = t.unit === '×' ? ratio(t.value) : `${t.value.toFixed(2)} GB`;
    out.push(`| ${t.name} | ${measured} | ${t.perRep?.length ? t.perRep.map(ratio).join(', ') : '—'} | ${t.pass ? 'pass' : '**FAIL**'} |`);
  }
  const backtest = report.rows.find((r) => r.key === 'backtest');
  const backfillRow = report.rows.find((r) => r.key === 'backfill');
  if (backtest && backfillRow) {
    out.push('', `The backtest takes ${ratio(backtest.seconds / backfillRow.seconds)} the time of the full backfill (medians of this run).`);
  }
  if (report.check) {
    const h = report.check['health'] as Record<string, unknown>;
    const scores = report.check['scores'] as Record<string, unknown>[];
    out.push(
      '',
      `Check against the hand-written query: ${h['ours']} health rows (ours) vs ${h['handwritten']} (hand-written), ${h['matched']} matched on (day, account);` +
        ` global score max |Δ| ${fmt(h['max_abs_score_diff'])} (${h['score_diffs']} rows differ), ${h['band_diffs']} band and ${h['insight_diffs']} insight differences;` +
        ` per score (score_snapshots vs the hand-written columns, null = null): ${scores.map((x) => `${x['score_id']} ${x['diffs']} differ`).join(', ')}` +
        ` (max |Δ| ${fmt(Math.max(0, ...scores.map((x) => Number(x['max_abs_diff'] ?? 0))))}).`,
    );
  }
  const stmtTable = (title: string, rows: StatementTotal[], total: number) => {
    out.push(
      '',
      `${title} (median seconds per statement; ×N = run N times; RSS = highest process RSS sampled while it ran):`,
      '',
      '| statement | seconds | share | RSS |',
      '| --- | ---: | ---: | ---: |',
    );
    const shown = [...rows].sort((a, b) => b.seconds - a.seconds);
    const sum = rows.reduce((a, r) => a + r.seconds, 0);
    const pct = (x: number) => `${((100 * x) / total).toFixed(0)}%`;
    for (const r of shown.filter((x) => x.seconds >= 0.05)) {
      out.push(`| ${r.label}${r.count > 1 ? ` ×${r.count}` : ''} | ${s(r.seconds)} | ${pct(r.seconds)} | ${gb(r.peakRssBytes)} |`);
    }
    const small = shown.filter((x) => x.seconds < 0.05);
    if (small.length) out.push(`| ${small.length} other statements | ${s(small.reduce((a, r) => a + r.seconds, 0))} | | |`);
    out.push(`| outside statements (commit, JS, hashing files) | ${s(Math.max(0, total - sum))} | ${pct(Math.max(0, total - sum))} | |`);
  };
  const row = (key: string) => report.rows.find((r) => r.key === key);
  if (row('backfill')) stmtTable('Where the full backfill goes', report.backfillStatements, row('backfill')!.seconds);
  if (row('nightly')) {
    stmtTable('Where the nightly goes', report.nightlyStatements, row('nightly')!.seconds);
    out.push(
      '',
      `Nightly by part (of which outside statements: COMMIT, hashing the source files, JS): ` +
        `${Object.entries(report.nightlyParts).map(([k, v]) => `${k} ${s(v)} s` + (report.nightlyOutside[k] !== undefined ? ` (${s(report.nightlyOutside[k]!)} s)` : '')).join(', ')}.`,
    );
  }
  if (row('load')) stmtTable('Where the load goes', report.loadStatements, row('load')!.seconds);
  if (report.profile) out.push(...profileLines(report.profile));
  out.push(
    '',
    `Benchmark wall time: ${s(report.totalSeconds)} s, including data generation ${s(data.generateSeconds)} s unless --skip-generate` +
      (report.profileSeconds !== undefined ? `; the profiles took another ${s(report.profileSeconds)} s.` : '.'),
  );
  return out.join('\n');
}

const fmt = (x: unknown) => (typeof x === 'number' ? (x === 0 ? '0' : x.toExponential(1)) : String(x));

interface ProfiledStep {
  step: string;
  seconds: number;
  top: { operator: string; seconds: number; rows: number; info: string }[];
}

/** Each compiled step's time with profiling on, and its three costliest operators
 *  (operator time is summed over threads, so it can exceed the step's wall time). */
function profileLines(profile: unknown): string[] {
  const out: string[] = [];
  for (const [span, value] of Object.entries(profile as Record<string, { days: { from: string; to: string }; steps: ProfiledStep[] }>)) {
    out.push('', `Profile of the compiled steps, ${span} (${value.days.from} … ${value.days.to}; JSON profiling on):`, '', '| step | seconds | costliest operators (operator seconds, rows out) |', '| --- | ---: | --- |');
    for (const step of value.steps) {
      const top = step.top
        .slice(0, 3)
        .map((o) => `${o.operator} ${s(o.seconds)} s, ${o.rows.toLocaleString('en')} rows`)
        .join('; ');
      out.push(`| ${step.step} | ${s(step.seconds)} | ${top} |`);
    }
  }
  return out;
}
