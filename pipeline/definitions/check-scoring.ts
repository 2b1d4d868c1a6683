// Checks on numbers that only make sense against the scorecard's scale: band borders,
// linear worst/best, steps, map scores and `missing: <number>`.

import type { Finding, PathSegment } from '../errors.ts';
import type { BandDoc, ScoreDoc } from './scorecard-schema.ts';

/** Bands go worst first from 0 upward; each `from` is the inclusive lower border. */
export function checkBands(bands: readonly BandDoc[], at: PathSegment[], scale: number): Finding[] {
  const findings: Finding[] = [];
  const labels = new Set<string>();
  bands.forEach((band, i) => {
    if (labels.has(band.label)) {
      findings.push({ path: [...at, i, 'label'], message: `duplicate band label ${JSON.stringify(band.label)}` });
    }
    labels.add(band.label);

    const from: PathSegment[] = [...at, i, 'from'];
    const previous = bands[i - 1];
    if (i === 0 && band.from !== 0) {
      findings.push({ path: from, message: `the first band must start at 0, the worst score (found ${band.from})` });
    } else if (previous && band.from <= previous.from) {
      findings.push({ path: from, message: `bands are listed worst first, so from must increase: ${band.from} is not above ${previous.from}` });
    }
    if (band.from > scale) findings.push({ path: from, message: `from ${band.from} is above the scale (${scale})` });
  });
  return findings;
}

function onScale(value: number, path: PathSegment[], scale: number): Finding[] {
  return value >= 0 && value <= scale ? [] : [{ path, message: `must be between 0 and the scale (${scale}), found ${value}` }];
}

export function checkScoring(score: ScoreDoc, at: PathSegment[], scale: number): Finding[] {
  const findings: Finding[] = [];
  if (score.worst !== undefined && score.worst === score.best) {
    findings.push({ path: [...at, 'best'], message: `worst and best must differ (both are ${score.best})` });
  }

  const steps = score.steps ?? [];
  let previous: number | undefined; // the last `below` seen, skipping a misplaced step without one
  steps.forEach((step, j) => {
    const below: PathSegment[] = [...at, 'steps', j, 'below'];
    const isLast = j === steps.length - 1;
    if (!isLast && step.below === undefined) {
      findings.push({ path: below, message: 'missing required key "below" (only the last step has none)' });
    }
    if (isLast && step.below !== undefined) {
      findings.push({ path: below, message: 'the last step has no below: it scores every value above the previous step' });
    }
    if (step.below !== undefined && previous !== undefined && step.below <= previous) {
      findings.push({ path: below, message: `below must increase from step to step: ${step.below} is not above ${previous}` });
    }
    previous = step.below ?? previous;
    findings.push(...onScale(step.score, [...at, 'steps', j, 'score'], scale));
  });

  for (const [key, value] of Object.entries(score.map ?? {})) findings.push(...onScale(value, [...at, 'map', key], scale));
  if (typeof score.missing === 'number') findings.push(...onScale(score.missing, [...at, 'missing'], scale));
  if (score.bands) findings.push(...checkBands(score.bands, [...at, 'bands'], scale));
  return findings;
}
