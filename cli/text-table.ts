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
