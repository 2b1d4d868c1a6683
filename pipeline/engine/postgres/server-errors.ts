import { UsageError } from '../../errors.ts';

/** Who the client tried to reach, for messages (never the password). */
export interface ConnectionTarget {
  host: string;
  port: number;
  user: string;
  database: string;
}

/** A connection that failed for a reason that may go away (server down, network): exit 1. */
export class WarehouseUnreachableError extends Error {}

/** The error of a failed connect, as one sentence: a UsageError (exit 2) where the project's
 *  settings or the server's grants must change, a WarehouseUnreachableError (exit 1) where
 *  trying again later may work. `secret` (the password) is scrubbed from any text passed on. */
export function connectionError(error: unknown, target: ConnectionTarget, secret: string | undefined): Error {
  const code = errorCode(error);
  const at = `${target.host}:${target.port}`;
  const reason = scrub(firstLine(error), secret);
  switch (code) {
    case 'ECONNREFUSED':
      return new WarehouseUnreachableError(`cannot connect to PostgreSQL at ${at}: the connection was refused (is the server running and listening there?)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new WarehouseUnreachableError(`cannot connect to PostgreSQL: the host ${target.host} was not found`);
    case 'ETIMEDOUT':
    case 'TIMEOUT':
      return new WarehouseUnreachableError(`cannot connect to PostgreSQL at ${at}: no answer in time`);
    case '28P01':
      return new UsageError(`PostgreSQL at ${at} refused the password of user "${target.user}": check the password of the warehouse URL`);
    case 'NO_PASSWORD':
      return new UsageError(
        `PostgreSQL at ${at} asks for a password for user "${target.user}": give it in the warehouse URL (as \${AN_ENV_VAR}) or in PGPASSWORD`,
      );
    case '28000':
      return new UsageError(`PostgreSQL at ${at} refused user "${target.user}": ${reason}`);
    case '3D000':
      return new UsageError(`the database "${target.database}" does not exist on the PostgreSQL server at ${at}`);
    case '57P03':
      return new WarehouseUnreachableError(`cannot connect to PostgreSQL at ${at}: the server is starting up or shutting down`);
    default:
      return new WarehouseUnreachableError(`cannot connect to PostgreSQL at ${at}: ${reason}`);
  }
}

/** The schema could not be created: the user lacks CREATE on the database. */
export function schemaError(error: unknown, target: ConnectionTarget, schema: string, secret: string | undefined): Error {
  if (errorCode(error) === '42501') {
    return new UsageError(
      `user "${target.user}" may not create the schema "${schema}" in the database "${target.database}": create it beforehand (and let the user use it), or grant CREATE on the database`,
    );
  }
  return new Error(`cannot set up the schema "${schema}" in the database "${target.database}": ${scrub(firstLine(error), secret)}`);
}

/** The schema exists but the user lacks `missing` privileges on it (USAGE to read, CREATE too
 *  to write). */
export function schemaGrantError(target: ConnectionTarget, schema: string, missing: string[]): UsageError {
  const grants = missing.join(' and ');
  return new UsageError(
    `user "${target.user}" may not use the schema "${schema}" in the database "${target.database}": it lacks ${grants} on it (grant ${missing.map((g) => g.toLowerCase()).join(', ')} on schema ${schema} to ${target.user})`,
  );
}

/** A server error's SQLSTATE, a socket error's code, or our names for pg's own failures. */
function errorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; errors?: { code?: unknown }[]; message?: unknown };
  if (typeof e?.code === 'string') return e.code;
  // Node tries each address of a name (::1, 127.0.0.1) and reports them together.
  const inner = e?.errors?.find((x) => typeof x?.code === 'string')?.code;
  if (typeof inner === 'string') return inner;
  const message = String(e?.message ?? '');
  if (/timeout/i.test(message)) return 'TIMEOUT';
  if (/client password must be a string|password must be a string/i.test(message)) return 'NO_PASSWORD';
  return undefined;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] || 'unknown error';
}

function scrub(text: string, secret: string | undefined): string {
  return secret ? text.replaceAll(secret, '***') : text;
}
