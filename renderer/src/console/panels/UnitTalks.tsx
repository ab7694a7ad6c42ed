// A unit's intercom recordings, newest first: who spoke, when, how long, the hash the audit log holds,
// and a player that fetches the audio from the hub only when asked (voice:talks, voice:audio).
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VoiceTalkRecord } from '../../../../shared/protocol/voice';
import { hub } from '../../hub';
import { useClock } from '../../common/format';

export function UnitTalks({ unitId }: { unitId: string }) {
  const { t } = useTranslation();
  const clock = useClock();
  const [talks, setTalks] = useState<VoiceTalkRecord[] | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => {
    hub.request('voice:talks', { unitId, limit: 20 }).then((r) => {
      setTalks(r.talks);
      setError('');
    }, (e: Error) => setError(e.message));
  }, [unitId]);
  useEffect(load, [load]);
  return (
    <div className="form" data-testid="unit-talks">
      <h3>{t('talks.title')} <button type="button" onClick={load}>{t('talks.refresh')}</button></h3>
      {error && <p className="muted">{t('talks.failed', { message: error })}</p>}
      {talks?.length === 0 && <p className="muted">{t('talks.none')}</p>}
      <ul>
        {talks?.map((talk) => (
          <li key={talk.talkId} data-talk={talk.talkId}>
            {t('talks.line', { at: clock(talk.startedAt, true), who: talk.actor, sec: Math.max(1, Math.round((talk.endedAt - talk.startedAt) / 1000)) })}
            <br /><small title={talk.sha256}>{t('talks.hash', { hash: talk.sha256.slice(0, 12) })}</small>
            <TalkPlayer talkId={talk.talkId} />
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A blob: URL (the console's CSP allows media from blob:, not data:). */
function blobUrl(base64: string, mime: string): string {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return URL.createObjectURL(new Blob([bytes], { type: mime }));
}

function TalkPlayer({ talkId }: { talkId: string }) {
  const { t } = useTranslation();
  const [src, setSrc] = useState<string | null>(null);
  const [error, setError] = useState('');
  useEffect(() => () => {
    if (src) URL.revokeObjectURL(src);
  }, [src]);
  if (src) return <audio controls autoPlay src={src} data-testid="talk-audio" />;
  return (
    <>
      <button type="button" data-testid="talk-play"
        onClick={() => hub.request('voice:audio', { talkId }).then((r) => setSrc(blobUrl(r.base64, r.mime)), (e: Error) => setError(e.message))}>
        {t('talks.play')}
      </button>
      {error && <span className="muted"> {t('talks.failed', { message: error })}</span>}
    </>
  );
}
