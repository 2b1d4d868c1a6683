/** Bad usage of a command (exit 2), as opposed to a failure while working (exit 1). */
export class UsageError extends Error {}
