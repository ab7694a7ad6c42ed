// Console text in Simplified Chinese and English. Default from the system locale; the header switches it
// and the choice is remembered per machine.
import { INITIAL_MODE_REASON } from '../../../shared/modes';
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { resources } from './resources';

export type Lang = 'zh-CN' | 'en';
const LANG_KEY = 'xiuhua.lang';

function initialLang(): Lang {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(LANG_KEY);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  const nav = typeof navigator === 'undefined' ? 'zh-CN' : navigator.language;
  return nav.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLang(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false }, // React escapes
});
document.documentElement.lang = i18n.language;

export function setLang(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

/** Pick the zh or en label of a bilingual record (mode labels, incident categories). */
export function pick(label: { zh: string; en: string }, lang: string): string {
  return lang.startsWith('zh') ? label.zh : label.en;
}

export default i18n;

/** A mode change's reason as a person reads it: the hub's seeded one in this language, any other as its author wrote it. */
export function modeReasonText(t: (key: string) => string, reason: string): string {
  return reason === INITIAL_MODE_REASON ? t('modeHere.initialReason') : reason;
}
