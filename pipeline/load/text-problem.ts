// Why DuckDB could not read a text (CSV, JSON) file, in our words and at the right line.
// DuckDB's own message for these is a page of sniffer options, a cut-off reason or the wrong
// line. Run only after DuckDB failed: it reads the whole file in JavaScript, which a load
// must not pay.

import { createReadStream } from 'node:fs';

/** DuckDB's default `max_line_size` of read_csv, in bytes. */
export const MAX_LINE_BYTES = 2_000_000;

export interface TextProblem {
  line: number;
  /** The header's name of the field at fault, when one is. */
  field?: string;
  reason: string;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const DELIMITERS = [',', '\t', ';', '|'];
const ENDING_NAMES = { crlf: '\\r\\n (Windows)', lf: '\\n (Unix)', cr: '\\r (old Mac)' } as const;
type Ending = keyof typeof ENDING_NAMES;
type Header = { names: string[]; delimiter: string };
/** One decoder for every line: a file may have millions. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The first line of `file` that is not UTF-8 or, in a CSV file, longer than DuckDB reads
 *  or ended unlike the lines before it; undefined when there is none (then DuckDB's message
 *  stands). In CSV, line breaks inside quoted fields are counted as lines (as an editor
 *  shows them) but never judged: a quoted field may hold any. (JSON text has no line break
 *  inside a string, and DuckDB's JSON reader has no line size limit of this kind.) */
export async function findTextProblem(file: string, format: 'csv' | 'json'): Promise<TextProblem | undefined> {
  const csv = format === 'csv';
  let line = 1;
  let parts: Buffer[] = [];
  let length = 0;
  let quoted = false;
  let lastWasCr = false;
  let recordEnding: { kind: Ending; line: number } | undefined;
  let header: Header | undefined;

  // Judges the line that just ended (or the last one, ending with the file).
  const endLine = (ending: Ending | undefined, endsRecord: boolean): TextProblem | undefined => {
    const bytes = Buffer.concat(parts);
    const bad = firstInvalidByte(bytes);
    if (bad !== undefined) {
      // The text of the field before the byte, to find it by (quotes and delimiters end it).
      const before = /[^",;\t| ]{0,20}$/.exec(new TextDecoder().decode(bytes.subarray(0, bad)))![0];
      const byte = `byte 0x${bytes[bad]!.toString(16).toUpperCase().padStart(2, '0')}${before ? ` after "${before}"` : ''}`;
      const reason = `is not UTF-8 text (${byte}); re-save the file as UTF-8`;
      const field = fieldAt(bytes.subarray(0, bad), header);
      return field === undefined ? { line, reason } : { line, field, reason };
    }
    if (csv && line === 1) header = splitHeader(new TextDecoder().decode(bytes));
    if (csv && ending !== undefined && endsRecord) {
      if (recordEnding === undefined) recordEnding = { kind: ending, line };
      else if (recordEnding.kind !== ending) {
        return {
          line,
          reason: `ends with ${ENDING_NAMES[ending]} but line ${recordEnding.line} with ${ENDING_NAMES[recordEnding.kind]}: the file mixes line endings; re-save it with one kind`,
        };
      }
    }
    line += 1;
    parts = [];
    length = 0;
    return undefined;
  };

  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (lastWasCr) {
        lastWasCr = false;
        // \r\n is one ending; the \r was held back to see which.
        const problem = endLine(byte === LF ? 'crlf' : 'cr', !quoted);
        if (problem) return problem;
        if (byte === LF) {
          start = i + 1;
          continue;
        }
        start = i;
      }
      if (byte === QUOTE && csv) quoted = !quoted;
      else if (byte === CR || byte === LF) {
        parts.push(chunk.subarray(start, i));
        length += i - start;
        if (byte === CR) lastWasCr = true;
        else {
          const problem = endLine('lf', !quoted);
          if (problem) return problem;
        }
        start = i + 1;
        continue;
      }
      if (csv && length + (i + 1 - start) > MAX_LINE_BYTES) {
        parts.push(chunk.subarray(start, i + 1));
        return tooLong(line, Buffer.concat(parts), header);
      }
    }
    parts.push(chunk.subarray(start));
    length += chunk.length - start;
  }
  return endLine(lastWasCr ? 'cr' : undefined, !quoted);
}

/** Where the first invalid UTF-8 sequence of `bytes` starts, if any. A sequence cut at
 *  the end is invalid too (the line ends there). */
function firstInvalidByte(bytes: Uint8Array): number | undefined {
  const decodes = (end: number, stream: boolean) => {
    try {
      // A fresh decoder: a streaming one keeps the cut sequence for its next call.
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end), { stream });
      return true;
    } catch {
      return false;
    }
  };
  try {
    UTF8.decode(bytes);
    return undefined;
  } catch {
    // Found below.
  }
  // The shortest prefix that fails ends just past the fault (`stream` lets a prefix end
  // inside a sequence); the fault's sequence starts where the last whole character ends.
  let ok = 0;
  let bad = bytes.length;
  while (bad - ok > 1) {
    const mid = (ok + bad) >> 1;
    if (decodes(mid, true)) ok = mid;
    else bad = mid;
  }
  let start = bad - 1;
  while (start > 0 && !decodes(start, false)) start -= 1;
  return start;
}

/** The name of the CSV field that `before`, the start of a line, ends in: the header's name
 *  after as many delimiters (none for JSON, which has no header). */
function fieldAt(before: Uint8Array, header: Header | undefined): string | undefined {
  if (!header) return undefined;
  let fields = 0;
  let quoted = false;
  for (const byte of before) {
    if (byte === QUOTE) quoted = !quoted;
    else if (!quoted && byte === header.delimiter.charCodeAt(0)) fields += 1;
  }
  return header.names[fields];
}

function tooLong(line: number, bytes: Buffer, header: Header | undefined): TextProblem {
  const limit = `${MAX_LINE_BYTES.toLocaleString('en')} bytes DuckDB reads as one CSV line (is a closing quote missing?)`;
  // The field at fault is the one the limit was passed in.
  const field = fieldAt(bytes, header);
  return field === undefined ? { line, reason: `is longer than the ${limit}` } : { line, field, reason: `makes its line longer than the ${limit}` };
}

/** The header's field names, split by its likeliest delimiter (the one DuckDB's sniffer
 *  would most likely have found). */
function splitHeader(text: string): Header {
  const delimiter = DELIMITERS.reduce((best, d) => (text.split(d).length > text.split(best).length ? d : best));
  return { names: text.split(delimiter).map((name) => name.trim().replace(/^"(.*)"$/, '$1')), delimiter };
}
