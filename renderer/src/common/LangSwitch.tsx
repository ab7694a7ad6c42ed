import { useTranslation } from 'react-i18next';
import { setLang } from '../i18n';

/** One button: shows the other language's name and switches to it. */
export function LangSwitch() {
  const { t, i18n } = useTranslation();
  const zh = i18n.language.startsWith('zh');
  return (
    <button type="button" className="lang" data-testid="lang-switch" onClick={() => setLang(zh ? 'en' : 'zh-CN')}>
      {t('header.language')}
    </button>
  );
}
