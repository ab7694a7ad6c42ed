// The rows behind the route-coverage and cell-dwell figures (`score:coverage`): coverage has no audit
// entries of its own, so its figures lead here — each vehicle's route per shift period, each officer's
// time per cell — and from each row to the unit's replayed track.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CoverageResult } from '../../../shared/protocol/scorecard';
import { hub, useHub } from '../hub';
import { useClock } from '../common/format';
import { requestErrorText } from '../common/errors';

type Props = { kind: 'routes' | 'dwell'; from: number; to: number; onReplayUnit: (unitId: string) => void };

export function CoverageRows({ kind, from, to, onReplayUnit }: Props) {
  const { t } = useTranslation();
  const clock = useClock();
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const [rows, setRows] = useState<CoverageResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    hub.request('score:coverage', { from, to }, 60_000).then((r) => !stale && setRows(r), (e: Error) => !stale && setError(e.message));
    return () => {
      stale = true;
    };
  }, [from, to]);
  if (error) return <p className="err" role="alert">{t('evaluator.error', { reason: requestErrorText(t, error) })}</p>;
  if (!rows) return <p className="muted">{t('evaluator.score.loading')}</p>;
  // the figure counts periods that began in [from, to); the read also returns those overlapping it
  const window = (r: { from: number; to: number }) => `${clock(r.from)} – ${clock(r.to)}`;
  const name = (id: string) => units.get(id)?.name ?? id;
  const replay = (unitId: string) => <button type="button" className="linklike" onClick={() => onReplayUnit(unitId)}>{t('evaluator.panel.replayUnit')}</button>;
  return (
    <div className="ev-coverage" data-testid={`coverage-${kind}`}>
      {rows.truncated && <p className="warn">{t('evaluator.coverage.truncated')}</p>}
      <table className="ev-table">
        {kind === 'routes' ? (
          <>
            <thead><tr><th>{t('evaluator.coverage.unit')}</th><th>{t('evaluator.coverage.route')}</th><th>{t('evaluator.coverage.window')}</th><th>{t('evaluator.coverage.driven')}</th><th /></tr></thead>
            <tbody>
              {rows.routes.filter((r) => r.from >= from && r.from < to).map((r) => (
                <tr key={`${r.unitId}-${r.from}`} data-unit={r.unitId} data-driven={r.driven} data-pieces={r.pieces}>
                  <td>{name(r.unitId)}</td><td>{r.routeId}</td><td className="num">{window(r)}</td>
                  <td className="num">{r.driven} / {r.pieces} · {(r.share * 100).toFixed(0)}%</td><td>{replay(r.unitId)}</td>
                </tr>
              ))}
            </tbody>
          </>
        ) : (
          <>
            <thead><tr><th>{t('evaluator.coverage.unit')}</th><th>{t('evaluator.coverage.cell')}</th><th>{t('evaluator.coverage.window')}</th><th>{t('evaluator.coverage.minutes')}</th><th /></tr></thead>
            <tbody>
              {rows.dwell.filter((d) => d.from >= from && d.from < to && d.shiftId !== null).map((d) => (
                <tr key={`${d.unitId}-${d.from}-${d.cellId}`} data-unit={d.unitId} data-cell={d.cellId} data-ms={d.dwellMs}>
                  <td>{name(d.unitId)}</td>
                  <td>{d.cellId ? (areas.get(d.cellId)?.name ?? d.cellId) : t('evaluator.coverage.noCell')}{d.assigned && ` · ${t('evaluator.coverage.assigned')}`}</td>
                  <td className="num">{window(d)}</td><td className="num">{(d.dwellMs / 60_000).toFixed(1)}</td><td>{replay(d.unitId)}</td>
                </tr>
              ))}
            </tbody>
          </>
        )}
      </table>
    </div>
  );
}
