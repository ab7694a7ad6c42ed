// Errors from the hub (command acks, sign-in refusals, the client's own timeouts) worded from their code in
// the operator's language. The hub's English detail never reaches the screen; an unknown code says so.
import type { TFunction } from 'i18next';

export function errorText(t: TFunction, code: string): string {
  return t(`errors.${code}`, { defaultValue: t('errors.unknown', { code }) });
}

/**
 * A read that failed, in words: hub.request rejects with "<code>: <the hub's English>" (the code is
 * worded, the English is not shown), the socket with its own timeout; anything else is said as it is.
 */
export function requestErrorText(t: TFunction, message: string): string {
  const code = /^([a-z_]+):/.exec(message)?.[1] ?? (/timed out/.test(message) ? 'timeout' : null);
  return code ? errorText(t, code) : message;
}
