// The hub's refusal issues in words (renderer/src/common/issues.ts over the i18n refusals table): every code
// the hub can send for a camera on the wrong kind of unit, for a weak password and for an account change in
// conflict (a taken username, one's own account, the last admin) is worded in both
// languages, with its parameters filled in and the password rules taken from the password field's hints.
import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import { CameraUnitProblem } from '../../shared/domain';
import { AccountConflict, PasswordProblem } from '../../shared/accounts';
import { resources } from '../../renderer/src/i18n/resources';
import { issueText } from '../../renderer/src/common/issues';

async function translator(lng: 'en' | 'zh-CN') {
  const i18n = i18next.createInstance();
  await i18n.init({ resources, lng, interpolation: { escapeValue: false } });
  return i18n.t;
}

describe('refusal issues in words', () => {
  it.each(['en', 'zh-CN'] as const)('words every camera, password and account issue in %s', async (lng) => {
    const t = await translator(lng);
    const unknown = (code: string) => t('refusals.unknown', { code });
    for (const code of CameraUnitProblem.options) {
      const text = issueText(t, { code, params: { unit: 'off-007', name: '王芳' } });
      expect(text).not.toBe(unknown(code));
      expect(text).toContain('王芳');
      expect(text).not.toMatch(/\{\{|\$t\(/);
    }
    for (const rule of PasswordProblem.options) {
      const text = issueText(t, { code: `password_${rule}`, params: {} });
      expect(text).toBe(t(`admin.password.${rule}`));
      expect(text).not.toMatch(/\$t\(|^admin\./);
    }
    for (const code of AccountConflict.options) {
      const text = issueText(t, { code, params: { name: 'zhangwei' } });
      expect(text).not.toBe(unknown(code));
      expect(text).toContain('zhangwei');
      expect(text).not.toMatch(/\{\{/);
    }
    expect(issueText(t, { code: 'no_such_code', params: {} })).toBe(unknown('no_such_code'));
  });
});
