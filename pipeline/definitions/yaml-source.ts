// Parses a YAML file into plain data plus a map from document path to line number, so that
// every later stage (zod, name resolution) can point at the exact line of the YAML.

import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { formatPath, type PathSegment, type Problem } from '../errors.ts';

export interface YamlSource {
  /** Relative to the project root, as it appears in messages. */
  file: string;
  /** The document as plain JS (mappings → objects, sequences → arrays). */
  data: unknown;
  /** Line of the node at `path` — of its key when it has one, since `measures:` reads
   *  better than the first line of the block below it. For a path that does not exist (a
   *  missing key), the line of the nearest enclosing node that does. */
  lineOf(path: readonly PathSegment[]): number;
}

export type YamlParse = { ok: true; source: YamlSource } | { ok: false; problems: Problem[] };

export function parseYaml(text: string, file: string): YamlParse {
  const lineCounter = new LineCounter();
  // prettyErrors off: we want the bare message and compute the line ourselves.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lineAt = (offset: number) => lineCounter.linePos(offset).line;

  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        file,
        line: lineAt(e.pos[0]),
        path: '',
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      })),
    };
  }

  let data: unknown;
  try {
    data = doc.toJS();
  } catch (e) {
    // e.g. an alias bomb; the document is unusable but this is still the user's input error.
    return { ok: false, problems: [{ file, line: 1, path: '', message: `YAML error: ${(e as Error).message}` }] };
  }

  const valueLines = new Map<string, number>();
  const keyLines = new Map<string, number>();
  const visit = (node: Node | null | undefined, path: PathSegment[]) => {
    if (!node) return;
    if (node.range) valueLines.set(formatPath(path), lineAt(node.range[0]));
    if (isAlias(node)) return; // an alias points at nodes already mapped under their own path
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = String(isScalar(keyNode) ? keyNode.value : keyNode);
        const childPath = [...path, key];
        if (keyNode?.range) keyLines.set(formatPath(childPath), lineAt(keyNode.range[0]));
        visit(pair.value as Node | null, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item as Node | null, [...path, i]));
    }
  };
  visit(doc.contents as Node | null, []);

  const lineOf = (path: readonly PathSegment[]): number => {
    for (let n = path.length; n >= 0; n--) {
      const prefix = path.slice(0, n);
      const line = keyLines.get(formatPath(prefix)) ?? valueLines.get(formatPath(prefix));
      if (line !== undefined) return line;
    }
    return 1;
  };
  return { ok: true, source: { file, data, lineOf } };
}

export function problemAt(source: YamlSource, path: readonly PathSegment[], message: string): Problem {
  return { file: source.file, line: source.lineOf(path), path: formatPath(path), message };
}
