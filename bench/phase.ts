// Child process entry: runs one benchmark phase (bench/phases.ts) on its own, so that
// its peak RSS is its own, and writes the result as JSON. Started by bench/run.ts as
//   node --import tsx bench/phase.ts '<PhaseSpec as JSON>'
import { writeFile } from 'node:fs/promises';
import { runPhase, type PhaseSpec } from './phases.ts';

const spec = JSON.parse(process.argv[2] ?? '{}') as PhaseSpec;
try {
  const result = await runPhase(spec);
  await writeFile(spec.resultFile, JSON.stringify(result, null, 2) + '\n');
} catch (error) {
  process.stderr.write(`bench phase ${spec.phase} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
