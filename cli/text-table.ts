/** Rows of cells (the first row is the header) as aligned text columns: a column whose
 *  cells are all numbers (or '–') is right-aligned, header included; text is left-aligned. */
export function textTable(rows: string[][], indent = ''): string[] {
  const columns = rows[0]?.length ?? 0;
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const right = Array.from({ length: columns }, (_, i) =>
    rows.length > 1 && rows.slice(1).every((r) => /^([-+]?[\d.,]+[%×]?( \(.*\))?|–)$/.test(r[i] ?? '')),
  );
  return rows.map((row) => indent + row.map((cell, i) => (right[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

export const percent = (x: number | null | undefined, digits = 1) => (x == null ? '–' : `${(x * 100).toFixed(digits)}%`);
export const fixed = (x: number | null | undefined, digits = 2) => (x == null ? '–' : x.toFixed(digits));
export const count = (x: number) => x.toLocaleString('en-US');
