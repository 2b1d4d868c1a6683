import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBDataChunk, DuckDBListVector, DuckDBVector } from '@duckdb/node-api';
import { Bool, DateDay, Field, Float64, List, Table, Utf8, makeData, makeVector, tableToIPC, type Data } from 'apache-arrow';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { exportOrder, type OutputColumn, type OutputColumnType, type OutputTable } from '../../models/output-tables.ts';
import { streamChunks } from '../engine/duckdb/connection.ts';
import { stringLiteral } from '../sql/sql-literal.ts';
import { partitionFolder, type Partitioning } from './partitions.ts';

/** Arrow IPC files, one per partition, laid out like the Parquet export. DuckDB has no
 *  built-in Arrow writer, so one sorted query per table is streamed in DuckDB's column
 *  vectors and each partition's columns are built as whole Arrow buffers (no row objects),
 *  with the same types as the Parquet files. */
export async function writeArrowPartitions(
  db: Kysely<any>,
  table: OutputTable,
  partition: Partitioning,
  where: RawBuilder<unknown>,
  out: string,
): Promise<void> {
  // The date as days since 1970-01-01 (Arrow's DateDay): an integer per row, cheap to
  // read and to compare when looking for the next partition.
  const epochDay = sql`cast(${sql.ref(table.dateColumn)} - date '1970-01-01' as integer)`;
  // In the day layout the date is the folder's name, not a column of the file.
  const columns = table.columns.filter((c) => partition === 'month' || c.name !== table.dateColumn);
  const enums = await enumTypes(db, table, columns, where);
  const select = columns.map((c, i) =>
    c.name === table.dateColumn ? epochDay : enums[i] ? sql`cast(${sql.ref(c.name)} as ${enums[i]})` : sql.ref(c.name));
  // The UTF-8 bytes of each column's strings, kept across partitions: most values repeat.
  const caches = columns.map(() => new Utf8Cache());
  const newBuilders = () => columns.map((c, i) => columnBuilder(c, caches[i]!));
  let builders = newBuilders();
  let folder: string | undefined;
  let lastDay: number | undefined;
  // One file is written while the next partition is built.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (folder === undefined) return;
    const arrow = new Table(Object.fromEntries(columns.map((c, i) => [c.name, makeVector(builders[i]!.finish())])));
    const bytes = tableToIPC(arrow, 'file');
    const dir = join(out, folder);
    await writing;
    writing = mkdir(dir, { recursive: true }).then(() => writeFile(join(dir, 'data.arrow'), bytes));
    builders = newBuilders();
  };
  // Rows arrive sorted by day: a partition ends where the next one's first row is.
  const onChunk = async (chunk: DuckDBDataChunk) => {
    const days = chunk.getColumnVector(0);
    const vectors = columns.map((_, i) => chunk.getColumnVector(i + 1));
    const rows = chunk.rowCount;
    let start = 0;
    for (let row = 0; row < rows; row++) {
      const day = days.getItem(row) as number;
      if (day === lastDay) continue;
      lastDay = day;
      const next = partitionFolder(table, partition, new Date(day * 86_400_000).toISOString().slice(0, 10));
      if (next === folder) continue;
      builders.forEach((b, i) => b.append(vectors[i]!, start, row));
      await flush();
      folder = next;
      start = row;
    }
    builders.forEach((b, i) => b.append(vectors[i]!, start, rows));
  };
  try {
    await streamChunks(db, sql`select ${epochDay}, ${sql.join(select)} from ${sql.table(table.name)} where ${where} order by ${exportOrder(table)}`, onChunk);
    await flush();
  } finally {
    await writing;
  }
}

/** Each string column is read as a DuckDB ENUM of its distinct values when they are few:
 *  the reader then gets each string from the ENUM's dictionary, instead of decoding it from
 *  DuckDB's memory row by row (otherwise the costliest part of this export). The files
 *  still hold plain Utf8. */
const MAX_ENUM_VALUES = 256;

async function enumTypes(db: Kysely<any>, table: OutputTable, columns: OutputColumn[], where: RawBuilder<unknown>) {
  const from = sql`from ${sql.table(table.name)} where ${where}`;
  const distinct = (value: RawBuilder<unknown>, rows: RawBuilder<unknown>) =>
    sql`(select case when count(distinct v) <= ${sql.lit(MAX_ENUM_VALUES)} then list(distinct v) filter (where v is not null) end
      from (select ${value} as v ${rows}))`;
  const queries = columns.map((c) =>
    c.type === 'varchar' ? distinct(sql.ref(c.name), from) : c.type === 'varchar[]' ? distinct(sql`unnest(${sql.ref(c.name)})`, from) : sql`null`);
  const { rows } = await sql<Record<string, string[] | null>>`select ${sql.join(queries.map((q, i) => sql`${q} as ${sql.ref(`c${i}`)}`))}`.execute(db);
  return columns.map((c, i) => {
    const values = rows[0]?.[`c${i}`];
    // An ENUM's values are literals in the type: a NUL cannot be written in one.
    if (!values?.length || values.some((v) => v.includes('\0'))) return undefined;
    const type = sql`enum(${sql.join(values.map(stringLiteral))})`;
    return c.type === 'varchar[]' ? sql`${type}[]` : type;
  });
}

/** Collects one column's values of a partition and makes its Arrow data. */
interface ColumnBuilder {
  append(vector: DuckDBVector, from: number, to: number): void;
  finish(): Data;
}

function columnBuilder(column: OutputColumn, cache: Utf8Cache): ColumnBuilder {
  const kinds: Record<OutputColumnType, () => ColumnBuilder> = {
    double: () => numberBuilder(new Float64(), Float64Array),
    date: () => numberBuilder(new DateDay(), Int32Array),
    boolean: boolBuilder,
    varchar: () => utf8Builder(cache),
    'varchar[]': () => utf8ListBuilder(column.notNull === true, cache),
  };
  return kinds[column.type]();
}

function numberBuilder(type: Float64 | DateDay, Items: Float64ArrayConstructor | Int32ArrayConstructor): ColumnBuilder {
  let items = new Items(1024);
  const valid = new Validity();
  return {
    append(vector, from, to) {
      if (items.length < valid.length + to - from) items = grow(items, valid.length + to - from);
      for (let i = from; i < to; i++) {
        const value = vector.getItem(i) as number | null;
        items[valid.length] = value ?? 0;
        valid.push(value !== null);
      }
    },
    finish: () => makeData({ type, length: valid.length, data: items.subarray(0, valid.length), ...valid.bitmap() } as never),
  };
}

function boolBuilder(): ColumnBuilder {
  let values = new Uint8Array(1024);
  const valid = new Validity();
  return {
    append(vector, from, to) {
      if (values.length < valid.length + to - from) values = grow(values, valid.length + to - from);
      for (let i = from; i < to; i++) {
        const value = vector.getItem(i) as boolean | null;
        values[valid.length] = value ? 1 : 0;
        valid.push(value !== null);
      }
    },
    finish: () => makeData({ type: new Bool(), length: valid.length, data: packBits(values, valid.length), ...valid.bitmap() }),
  };
}

/** Utf8 built in place: the strings' UTF-8 bytes back to back, and where each one starts. */
function utf8Builder(cache: Utf8Cache) {
  let offsets = new Int32Array(1025);
  let bytes = Buffer.allocUnsafe(16_384);
  let used = 0;
  const valid = new Validity();
  const add = (value: string | null) => {
    if (value !== null) {
      const utf8 = cache.get(value);
      if (bytes.length < used + utf8.length) {
        const bigger = Buffer.allocUnsafe(Math.max(used + utf8.length, bytes.length * 2));
        bytes.copy(bigger, 0, 0, used);
        bytes = bigger;
      }
      bytes.set(utf8, used);
      used += utf8.length;
    }
    valid.push(value !== null);
    if (offsets.length < valid.length + 1) offsets = grow(offsets, valid.length + 1);
    offsets[valid.length] = used;
  };
  return {
    add,
    get length() {
      return valid.length;
    },
    append(vector: DuckDBVector, from: number, to: number) {
      for (let i = from; i < to; i++) add(vector.getItem(i) as string | null);
    },
    finish: () =>
      makeData({ type: new Utf8(), length: valid.length, valueOffsets: offsets.subarray(0, valid.length + 1), data: bytes.subarray(0, used), ...valid.bitmap() }),
  };
}

function utf8ListBuilder(notNull: boolean, cache: Utf8Cache): ColumnBuilder {
  const items = utf8Builder(cache);
  let offsets = new Int32Array(1025);
  const valid = new Validity();
  return {
    append(vector, from, to) {
      const list = vector as DuckDBListVector;
      const child = list.childVector;
      if (offsets.length < valid.length + to - from + 1) offsets = grow(offsets, valid.length + to - from + 1);
      for (let i = from; i < to; i++) {
        // getItemVector makes a vector per row: only asked when the column may hold nulls.
        const isValid = notNull || list.getItemVector(i) !== null;
        if (isValid) {
          const first = list.getEntryOffset(i);
          for (let k = first; k < first + list.getEntryLength(i); k++) items.add(child.getItem(k) as string | null);
        }
        valid.push(isValid);
        offsets[valid.length] = items.length;
      }
    },
    finish: () =>
      makeData({
        type: new List(new Field('item', new Utf8(), true)),
        length: valid.length,
        valueOffsets: offsets.subarray(0, valid.length + 1),
        child: items.finish(),
        ...valid.bitmap(),
      }),
  };
}

/** Strings → their UTF-8 bytes, bounded (a free-text column may not repeat at all). */
class Utf8Cache {
  static readonly MAX_ENTRIES = 100_000;
  #bytes = new Map<string, Buffer>();

  get(value: string): Buffer {
    let utf8 = this.#bytes.get(value);
    if (!utf8) {
      if (this.#bytes.size >= Utf8Cache.MAX_ENTRIES) this.#bytes.clear();
      utf8 = Buffer.from(value);
      this.#bytes.set(value, utf8);
    }
    return utf8;
  }
}

/** Which values are not null, one byte each until Arrow's bitmap is made. */
class Validity {
  #valid = new Uint8Array(1024);
  length = 0;
  #nulls = 0;

  push(isValid: boolean): void {
    if (this.#valid.length === this.length) this.#valid = grow(this.#valid, this.length + 1);
    this.#valid[this.length++] = isValid ? 1 : 0;
    if (!isValid) this.#nulls++;
  }

  /** Arrow's null bitmap, left out when every value is there. */
  bitmap(): { nullCount: number; nullBitmap?: Uint8Array } {
    return this.#nulls ? { nullCount: this.#nulls, nullBitmap: packBits(this.#valid, this.length) } : { nullCount: 0 };
  }
}

/** One byte per value → one bit per value, least significant bit first (Arrow's order). */
function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const bits = new Uint8Array(Math.ceil(length / 8));
  for (let i = 0; i < length; i++) if (bytes[i]) bits[i >> 3]! |= 1 << (i & 7);
  return bits;
}

function grow<A extends Float64Array | Int32Array | Uint8Array>(array: A, needed: number): A {
  const bigger = new (array.constructor as new (n: number) => A)(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
}
