// Module hooks for bin.test.ts: append every module URL the process resolves to the file
// named by $HEALTHSCORE_IMPORTS, so that a test can see what the bin really loads.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.HEALTHSCORE_IMPORTS, resolved.url + '\n');
  return resolved;
}
