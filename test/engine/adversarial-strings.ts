// Strings that break naive SQL quoting, after kysely's own sql-injection test: each must
// reach DuckDB as exactly itself, whether bound, written as a literal or as an identifier.

export const ADVERSARIAL: readonly string[] = [
  "it's",
  "''",
  "'; drop table victims; --",
  "x' or '1'='1",
  '"; drop table victims; --',
  'back\\slash',
  "trailing backslash\\",
  "\\'; drop table victims; --",
  '‘curly’ “quotes” ＇fullwidth＇',
  'NUL\0inside',
  '\0',
  'line\nbreak\r\nand\ttab',
  '$$ dollar $$',
  '$1 $2',
  '$tag$ x $tag$',
  '/* comment */ -- comment',
  ';',
  'ünïcødé 名前 🚀',
  '~/slash~0~1',
  "e'\\x41'",
  'x'.repeat(100_000),
  "'".repeat(1000),
];
