// Names are looked up as own properties (Object.hasOwn), so `measure: toString` is an
// unknown measure like any other. One key cannot be a name at all: an object parsed with
// a `__proto__` key (zod's records do so) gets a new prototype instead of an entry, so the
// definition would silently lose it and inherit names it never wrote.

import type { PathSegment } from '../errors.ts';

export const RESERVED_KEY = '__proto__';
export const RESERVED_KEY_MESSAGE = `"${RESERVED_KEY}" cannot be used as a name or key`;

/** Paths of every mapping key `__proto__` in a parsed YAML document. */
export function reservedKeys(data: unknown, path: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(data)) return data.flatMap((item, i) => reservedKeys(item, [...path, i]));
  if (typeof data !== 'object' || data === null) return [];
  return Object.entries(data).flatMap(([key, value]) =>
    key === RESERVED_KEY ? [[...path, key]] : reservedKeys(value, [...path, key]),
  );
}
