/** A PostgreSQL URL fit for a message: its password (in the user part or a `password=`
 *  parameter) replaced by `***`. Text that is not a URL is left out rather than risk
 *  showing a password. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the PostgreSQL warehouse';
  }
  if (parsed.password) parsed.password = '***';
  if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}
