// Errors from the hub (command acks, sign-in refusals, the client's own timeouts) worded from their code in
// the operator's language. The hub's English detail never reaches the screen; an unknown code says so.
import type { TFunction } from 'i18next';

export function errorText(t: TFunction, code: string): string {
  return t(`errors.${code}`, { defaultValue: t('errors.unknown', { code }) });
}
