// Numbers as the terminal output and the HTML report show them; '–' for a missing value.

export const percent = (x: number | null | undefined, digits = 1) => (x == null ? '–' : `${(x * 100).toFixed(digits)}%`);
export const fixed = (x: number | null | undefined, digits = 2) => (x == null ? '–' : x.toFixed(digits));
export const count = (x: number) => x.toLocaleString('en-US');
