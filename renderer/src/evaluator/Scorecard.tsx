// The 1000-point scorecard of the period, as the hub computed it from the record: each indicator with its
// definition, what was counted, its points of its weight and a bar; the total, stars and the period before.
// Each row leads to the timeline entries it was counted from; the card exports as CSV and PDF.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExportResult, IndicatorScore, ScoreCardResult } from '../../../shared/protocol/scorecard';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { CoverageRows } from './CoverageRows';
import { saveFile } from './download';
import { usePeriod } from './period';
import type { TimelineFilter } from './Timeline';
import { requestErrorText } from '../common/errors';

function figure(t: (k: string, o?: Record<string, unknown>) => string, i: IndicatorScore): string {
  const d = i.detail;
  const pending = d.pending ? ` · ${t('evaluator.score.pending', { n: d.pending })}` : '';
  if (i.rate === null) return t('evaluator.score.nothing') + pending;
  const running = d.running ? ` · ${t('evaluator.score.running', { n: d.running })}` : '';
  const counted = t(i.id === 'cell_dwell' ? 'evaluator.score.minutes' : 'evaluator.score.of', { met: i.met, of: i.of });
  const base = `${counted} · ${(i.rate * 100).toFixed(1)}%${pending}${running}`;
  if (d.medianSec != null) return `${base} · ${t('evaluator.score.medianStep', { s: Math.round(d.medianSec) })}`;
  if ((i.id === 'sos_ack_in_time' || i.id === 'alert_ack_in_time') && d.medianAckSec != null) return `${base} · ${t('evaluator.score.median', { s: Math.round(d.medianAckSec) })}`;
  if (i.id === 'camera_availability') return `${base} · ${t('evaluator.score.downMinutes', { n: d.downMinutes, cams: d.keyCameras })}`;
  if (i.id === 'checkin_compliance') return `${base} · ${t('evaluator.score.missed', { n: d.missed })}`;
  return base;
}

export function Scorecard({ onEntries, onReplayUnit }: { onEntries: (f: TimelineFilter) => void; onReplayUnit: (unitId: string) => void }) {
  const { t, i18n } = useTranslation();
  const zone = useHub((s) => s.timeZone);
  const period = usePeriod(zone);
  const [card, setCard] = useState<ScoreCardResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exported, setExported] = useState<ExportResult | null>(null);
  const [coverage, setCoverage] = useState<'routes' | 'dwell' | null>(null);
  useEffect(() => {
    let stale = false;
    setCard(null);
    setError(null);
    hub.request('score:card', { from: period.from, to: period.to }, 60_000)
      .then((c) => !stale && setCard(c), (e: Error) => !stale && setError(e.message));
    return () => {
      stale = true;
    };
  }, [period.from, period.to]);
  const exportAs = async (format: 'csv' | 'pdf') => {
    try {
      const res = await hub.request('audit:export', { what: 'scorecard', format, lang: i18n.language.startsWith('zh') ? 'zh-CN' : 'en', from: period.from, to: period.to }, 120_000);
      setExported(res);
      saveFile(res.fileName, res.mime, res.data);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (error) return <p className="err ev-pad" role="alert">{t('evaluator.error', { reason: requestErrorText(t, error) })}</p>;
  if (!card) return <p className="muted ev-pad">{t('evaluator.score.loading')}</p>;
  const delta = card.total - card.previous.total;
  return (
    <section className="ev-score" data-testid="scorecard" data-total={card.total}>
      <div className="ev-score-head">
        <div className="ev-total"><span className="muted">{t('evaluator.score.total')}</span> <strong data-testid="score-total">{card.total.toFixed(1)}</strong><span className="muted"> / 1000</span></div>
        <div className="ev-stars" data-testid="score-stars" data-stars={card.stars} aria-label={`${t('evaluator.score.stars')}: ${card.stars}`}>
          {'★'.repeat(card.stars)}<span className="muted">{'★'.repeat(Math.max(0, 5 - card.stars))}</span>
        </div>
        {/* A period before with nothing to count (e.g. before the hub ran) has an empty record's full marks: not a score to compare with. */}
        <div className="muted" data-testid="score-previous">{card.previous.recorded
          ? t('evaluator.score.previous', { total: card.previous.total.toFixed(1), delta: `${delta >= 0 ? '+' : ''}${delta.toFixed(1)}` })
          : t('evaluator.score.previousEmpty')}</div>
        <div className="spacer" />
        <button type="button" data-testid="score-csv" onClick={() => void exportAs('csv')}>{t('evaluator.timeline.exportCsv')}</button>
        <button type="button" data-testid="score-pdf" onClick={() => void exportAs('pdf')}>{t('evaluator.timeline.exportPdf')}</button>
      </div>
      {exported && <p className="muted" data-testid="exported">{t('evaluator.timeline.exported', { file: exported.fileName, rows: exported.rows, head: exported.chain.headHash.slice(0, 16) + '…' })}</p>}
      <table className="ev-table ev-score-table">
        <thead>
          <tr>
            <th>{t('evaluator.score.indicator')}</th><th>{t('evaluator.score.figure')}</th><th className="bar-col" /><th>{t('evaluator.score.points')}</th><th />
          </tr>
        </thead>
        <tbody>
          {card.indicators.map((i) => (
            <tr key={i.id} data-indicator={i.id} data-points={i.points}>
              <td>
                <div className="ev-ind-name">{pick(i.name, i18n.language)}</div>
                <div className="muted ev-def">{pick(i.definition, i18n.language)}</div>
              </td>
              <td className="num">{figure(t, i)}</td>
              <td className="bar-col"><div className="ev-bar-track"><div className={`ev-bar-fill ${i.rate === null || i.rate >= 0.9 ? 'good' : i.rate >= 0.7 ? 'fair' : 'poor'}`} style={{ width: `${(i.rate ?? 1) * 100}%` }} /></div></td>
              <td className="num"><strong>{i.points.toFixed(1)}</strong> <span className="muted">/ {i.weight}</span></td>
              <td>{i.source.coverage
                ? <button type="button" data-testid={`score-rows-${i.id}`} aria-pressed={coverage === i.source.coverage} onClick={() => setCoverage(coverage === i.source.coverage ? null : i.source.coverage!)}>{t('evaluator.coverage.rows')}</button>
                : <button type="button" data-testid={`score-entries-${i.id}`} disabled={i.source.targets?.length === 0} title={i.source.targets?.length === 0 ? t('evaluator.score.noEntries') : undefined}
                  onClick={() => onEntries({ action: i.source.action ?? i.source.actionPrefix, ...(i.source.targets ? { targets: i.source.targets, targetsOf: pick(i.name, i18n.language) } : {}) })}>
                  {i.source.targets ? t('evaluator.score.entriesOf', { n: i.source.targets.length }) : t('evaluator.score.entries')}
                </button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {coverage && <CoverageRows kind={coverage} from={card.from} to={card.to} onReplayUnit={onReplayUnit} />}
      <p className="muted">{t('evaluator.score.config', { v: card.configVersion })}</p>
    </section>
  );
}
