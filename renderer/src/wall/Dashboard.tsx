// The dashboard wall: a few large figures an operator can read from across the room at night.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS } from '../../../shared/domain';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { ago, useClock } from '../common/format';
import { useNow } from '../common/useNow';
import { CATEGORIES, ON_DUTY, countBoard } from './board';
import { WallStrip } from './WallStrip';

export function Dashboard() {
  const { t, i18n } = useTranslation();
  const units = useHub((s) => s.units);
  const incidents = useHub((s) => s.incidents);
  const sosMap = useHub((s) => s.sos);
  const streams = useHub((s) => s.streams);
  const ready = useHub((s) => s.ready);
  const now = useNow() + hub.getState().clockSkewMs;
  const clock = useClock();
  // While the hub is away the figures are as of when it went: said on the board, and stream states unknown.
  const conn = useHub((s) => s.connection);
  const known = conn.status === 'live';
  const board = useMemo(() => countBoard({ units, incidents, sos: sosMap, streams }), [units, incidents, sosMap, streams]);

  return (
    <div className="wall-dashboard">
      <WallStrip />
      {!ready ? (
        <div className="board-wait">{t('wall.loading')}</div>
      ) : (
        <div className={`board ${known ? '' : 'board-unknown'}`} data-known={known}>
          {!known && <div className="board-asof" data-testid="board-asof">{t('wall.asOf', { time: clock(conn.since) })}</div>}
          <section className={`board-sos ${board.sos.length ? 'sos-active' : ''}`} data-testid="board-sos" data-count={board.sos.length}>
            <h2>{t('wall.sos')}</h2>
            {board.sos.length === 0 ? (
              <div className="board-none">{t('wall.noSos')}</div>
            ) : (
              <ul>
                {board.sos.map((s) => (
                  <li key={s.id}>
                    <span className="sos-unit">{s.unitName}</span>
                    <span className="sos-ago">{clock(s.raisedAt)} · {ago(t, now - s.raisedAt)}</span>
                    {s.acknowledged && <span className="sos-ack">{t('wall.acknowledged')}</span>}
                  </li>
                ))}
              </ul>
            )}
          </section>

          <section className="board-units" data-testid="board-units" data-count={board.onDutyTotal}>
            <h2>{t('wall.onDuty')}</h2>
            <div className="board-big">{board.onDutyTotal}</div>
            <dl>
              {ON_DUTY.map((st) => (
                <div key={st} className={`row status-${st}`} data-status={st} data-count={board.onDuty[st]}>
                  <dt>{t(`status.${st}`)}</dt>
                  <dd>{board.onDuty[st]}</dd>
                </div>
              ))}
            </dl>
          </section>

          <section className="board-incidents" data-testid="board-incidents" data-count={board.openTotal}>
            <h2>{t('wall.openIncidents')}</h2>
            <div className="board-big">{board.openTotal}</div>
            <dl className="cols">
              {CATEGORIES.map((c) => (
                <div key={c} className={`row ${board.openByCategory[c] ? '' : 'zero'}`}>
                  <dt>{pick(INCIDENT_CATEGORY_LABELS[c], i18n.language)}</dt>
                  <dd>{board.openByCategory[c]}</dd>
                </div>
              ))}
            </dl>
          </section>

          <section className="board-streams" data-testid="board-streams" data-up={board.streams.up} data-down={board.streams.down}>
            <h2>{t('wall.streams')}</h2>
            <dl>
              <div className="row stream-up"><dt>{t('wall.streamUp')}</dt><dd>{known ? board.streams.up : '?'}</dd></div>
              <div className="row stream-starting"><dt>{t('wall.streamStarting')}</dt><dd>{known ? board.streams.starting : '?'}</dd></div>
              <div className={`row stream-down ${known && board.streams.down ? 'is-bad' : ''}`}><dt>{t('wall.streamDown')}</dt><dd>{known ? board.streams.down : '?'}</dd></div>
              <div className="row stream-idle"><dt>{t('wall.streamIdle')}</dt><dd>{known ? board.streams.idle : '?'}</dd></div>
            </dl>
          </section>
        </div>
      )}
    </div>
  );
}
