// An issue of a hub refusal (shared/protocol/commands.ts Issue: a code and its parameters) in the person's
// language, from the i18n `refusals` table; a code the table does not know says so with the code.
import type { TFunction } from 'i18next';
import type { Issue } from '../../../shared/protocol/commands';

export function issueText(t: TFunction, issue: Pick<Issue, 'code' | 'params'>): string {
  const params: Record<string, string | number> = { ...issue.params };
  // A kind the hub names (cell, post, route, district) is said in the language too.
  for (const k of ['kind', 'want']) {
    const v = params[k];
    if (typeof v === 'string') params[k] = t(`refusals.kindNames.${v}`, { defaultValue: v });
  }
  const code = issue.code === 'route_point_off_road' && Number(params.m) < 0 ? 'route_point_off_road_far' : issue.code;
  return t(`refusals.${code}`, { ...params, defaultValue: t('refusals.unknown', { code }) });
}

/** The issues a refused command's ack carried (none for a refusal without them, or one made on this side: a timeout, a cancel). */
export function refusalIssues(error: { code: string; issues?: Issue[] }): Issue[] {
  return error.issues ?? [];
}
