// People's accounts as the admin console and the hub both see them: the password rules (checked by the
// hub, shown by the console before it sends) and why a session ended. Imports only zod and the domain.
import { z } from 'zod';

export const USERNAME = /^[a-z][a-z0-9_.-]{1,31}$/;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 200;

/** Passwords people pick first; a center's console must not open to any of them. */
const COMMON = new Set([
  'password', 'password1', 'password123', '12345678', '123456789', '1234567890', '87654321', 'qwertyui', 'qwerty123',
  'iloveyou', 'abc12345', 'abcd1234', '11111111', '88888888', '66666666', 'admin123', 'admin1234', 'administrator',
  'welcome1', 'xiuhua123', 'changeme', 'letmein1', 'demo1234',
]);

export const PasswordProblem = z.enum(['too_short', 'too_long', 'one_character', 'contains_username', 'too_common']);
export type PasswordProblem = z.infer<typeof PasswordProblem>;

/** The first rule a password breaks, or null. The hub refuses with `weak_password` and the issue `password_<rule>`. */
export function passwordProblem(password: string, username: string): PasswordProblem | null {
  if (password.length < PASSWORD_MIN) return 'too_short';
  if (password.length > PASSWORD_MAX) return 'too_long';
  if (new Set(password).size === 1) return 'one_character';
  if (username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) return 'contains_username';
  if (COMMON.has(password.toLowerCase())) return 'too_common';
  return null;
}

/** The same rules in English, for the hub's message and the CLI. */
export const PASSWORD_RULES: Record<PasswordProblem, string> = {
  too_short: `the password must be at least ${PASSWORD_MIN} characters`,
  too_long: `the password must be at most ${PASSWORD_MAX} characters`,
  one_character: 'the password must not be one character repeated',
  contains_username: 'the password must not contain the username',
  too_common: 'the password is one of the most common passwords',
};

/**
 * Why the hub refuses an account change as a `conflict`, as the issue it sends (params: `name`, the
 * username): a screen words it (i18n refusals.<code>) instead of the general "its state does not allow this".
 */
export const AccountConflict = z.enum(['user_exists', 'own_account', 'last_admin', 'same_role', 'already_disabled', 'not_disabled']);
export type AccountConflict = z.infer<typeof AccountConflict>;

/** Why the hub ended a console's session (sent as `session:ended` just before it disconnects the console). */
export const SessionEndReason = z.enum(['logged_out', 'disabled', 'role_changed', 'password_reset', 'revoked', 'signed_out_everyone']);
export type SessionEndReason = z.infer<typeof SessionEndReason>;
