// Video wall text, from the one i18n system (i18n/en.ts `video.*`), in the console's current language.
import { useTranslation } from 'react-i18next';
import { useClock } from '../common/format';

export function useVideoTexts() {
  const { t } = useTranslation();
  const clock = useClock();
  return {
    connecting: t('video.connecting'),
    live: t('video.live'),
    stale: t('video.stale'),
    offline: t('video.offline'),
    /** "offline since 02:14 — retrying", the time as the center's clock shows it */
    offlineSince: (at: number) => t('video.offlineSince', { time: clock(at).slice(0, 5) }),
    firstFrame: t('video.firstFrame'),
    latency: t('video.latency'),
    empty: t('video.empty'),
    following: t('video.following'),
    clear: t('video.clear'),
    layout: t('video.layout'),
    noCamera: t('video.noCamera'),
  };
}
