// The period every view reads: two center-time inputs and presets.
import { useTranslation } from 'react-i18next';
import { useHub } from '../hub';
import { fromInput, presetPeriod, setPeriod, toInput, usePeriod } from './period';

export function PeriodBar() {
  const { t } = useTranslation();
  const zone = useHub((s) => s.timeZone);
  const period = usePeriod(zone);
  const change = (which: 'from' | 'to', value: string) => {
    const ms = fromInput(value, zone);
    if (ms === null) return;
    const next = { ...period, [which]: ms };
    if (next.from < next.to) setPeriod(next);
  };
  return (
    <div className="ev-period" data-testid="period">
      <label>{t('evaluator.period.from')}
        <input type="datetime-local" data-testid="period-from" value={toInput(period.from, zone)} onChange={(e) => change('from', e.target.value)} />
      </label>
      <label>{t('evaluator.period.to')}
        <input type="datetime-local" data-testid="period-to" value={toInput(period.to, zone)} onChange={(e) => change('to', e.target.value)} />
      </label>
      {(['today', 'yesterday', 'week'] as const).map((p) => (
        <button key={p} type="button" onClick={() => setPeriod(presetPeriod(p, Date.now(), zone))}>{t(`evaluator.period.${p}`)}</button>
      ))}
      <span className="muted">{t('evaluator.period.zone', { zone })}</span>
    </div>
  );
}
