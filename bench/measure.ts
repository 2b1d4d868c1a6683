import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

/** One statement's wall time, labelled by what it creates, fills or clears. */
export interface StatementTime {
  label: string;
  /** When it started, performance.now() milliseconds. */
  at: number;
  seconds: number;
  /** Highest RSS sampled while it ran (every 50 ms), bytes. */
  peakRssBytes: number;
}

export interface StatementTotal {
  label: string;
  seconds: number;
  count: number;
  peakRssBytes: number;
}

/** A kysely plugin that times every statement the pipeline runs through the `db` it is
 *  given: transformQuery runs right before the statement is sent and transformResult
 *  right after it returns, on the single pinned connection. COMMIT is driver-level and
 *  not seen here; it shows in a phase's total as time outside the statements. While a
 *  statement runs, the process RSS is sampled (DuckDB works on its own threads, so the
 *  event loop is free), which tells which statement drives the peak. */
export class StatementTimer implements KyselyPlugin {
  readonly times: StatementTime[] = [];
  readonly #started = new WeakMap<object, { label: string; at: number }>();
  #running: { peak: number } | undefined;
  readonly #sampler = setInterval(() => {
    if (this.#running) this.#running.peak = Math.max(this.#running.peak, process.memoryUsage.rss());
  }, 50);

  constructor() {
    this.#sampler.unref();
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.#started.set(args.queryId, { label: labelOf(args.node), at: performance.now() });
    this.#running = { peak: process.memoryUsage.rss() };
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const started = this.#started.get(args.queryId);
    const peak = Math.max(this.#running?.peak ?? 0, process.memoryUsage.rss());
    this.#running = undefined;
    if (started) this.times.push({ label: started.label, at: started.at, seconds: (performance.now() - started.at) / 1000, peakRssBytes: peak });
    return args.result;
  }

  stop(): void {
    clearInterval(this.#sampler);
  }

  /** Seconds spent in statements that started in [from, to) (performance.now() ms). */
  within(from: number, to: number): number {
    return this.times.filter((t) => t.at >= from && t.at < to).reduce((sum, t) => sum + t.seconds, 0);
  }

  /** Seconds per label, in first-seen order (a label run several times is summed). */
  totals(): StatementTotal[] {
    const byLabel = new Map<string, StatementTotal>();
    for (const t of this.times) {
      const entry = byLabel.get(t.label) ?? { label: t.label, seconds: 0, count: 0, peakRssBytes: 0 };
      entry.seconds += t.seconds;
      entry.count += 1;
      entry.peakRssBytes = Math.max(entry.peakRssBytes, t.peakRssBytes);
      byLabel.set(t.label, entry);
    }
    return [...byLabel.values()];
  }
}

/** "create hs_measures", "insert score_snapshots", "delete raw_events", "copy", … */
function labelOf(node: OperationNode): string {
  const text = sqlText(node).replace(/\s+/g, ' ').trim().toLowerCase();
  const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/^create (?:or replace )?(?:temp |temporary )?table (?:if not exists )?"?(\w+)/, (m) => `create ${m[1]}`],
    [/^delete from "?(\w+)/, (m) => `delete ${m[1]}`],
    [/^insert (?:or replace )?into "?(\w+)/, (m) => `insert ${m[1]}`],
    [/^update "?(\w+)/, (m) => `update ${m[1]}`],
    [/^drop table "?(\w+)/, (m) => `drop ${m[1]}`],
    [/^copy\b/, () => 'copy (export)'],
    [/^describe\b/, () => 'describe (load)'],
    [/^select row_number, value from/, () => 'check rows (load)'],
  ];
  for (const [pattern, label] of patterns) {
    const m = text.match(pattern);
    if (m) return label(m);
  }
  return text.slice(0, 48);
}

/** The SQL text of a raw node, with a table parameter written as its name and any
 *  other parameter as `?` (enough to tell statements apart). */
function sqlText(node: OperationNode): string {
  const raw = node as OperationNode & { sqlFragments?: readonly string[]; parameters?: readonly OperationNode[] };
  if (raw.kind !== 'RawNode' || !raw.sqlFragments) return raw.kind;
  let text = raw.sqlFragments[0] ?? '';
  raw.parameters?.forEach((param, i) => {
    text += paramText(param) + (raw.sqlFragments![i + 1] ?? '');
  });
  return text;
}

function paramText(node: OperationNode): string {
  const n = node as OperationNode & { table?: { identifier?: { name?: string } }; sqlFragments?: readonly string[] };
  if (n.kind === 'TableNode') return n.table?.identifier?.name ?? '?';
  if (n.kind === 'RawNode' && n.sqlFragments && n.sqlFragments.length <= 2) return sqlText(n).slice(0, 64);
  return '?';
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export const seconds = (since: number): number => (performance.now() - since) / 1000;

/** Peak resident set of this process so far, in bytes (Linux reports KiB). */
export const peakRssBytes = (): number => process.resourceUsage().maxRSS * 1024;

/** What a phase child reports back. */
export interface PhaseResult {
  phase: string;
  /** Wall time of the timed part only (not opening/closing the warehouse). */
  seconds: number;
  /** The child's peak RSS: node + DuckDB, for this phase alone. */
  peakRssBytes: number;
  statements?: StatementTotal[];
  details?: Record<string, unknown>;
}

const PHASE_SCRIPT = fileURLToPath(new URL('./phase.ts', import.meta.url));

/** Runs one phase in a fresh `node --import tsx bench/phase.ts` so that its peak RSS is
 *  its own; its output goes to our terminal and its result comes back as JSON. */
export async function runPhaseChild(spec: object & { resultFile: string }): Promise<PhaseResult> {
  await rm(spec.resultFile, { force: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', PHASE_SCRIPT, JSON.stringify(spec)], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(signal ? 128 : c));
  });
  if (code !== 0) throw new Error(`phase ${JSON.stringify(spec)} failed (exit ${code})`);
  return JSON.parse(await readFile(spec.resultFile, 'utf8')) as PhaseResult;
}
