// The period every view reads: two center-time fields and presets. A field is typed as the console
// shows every time ('2026-12-04 08:00', 24-hour, center time) and applied on Enter or on leaving it;
// what cannot be read is said next to the fields, and the period in force stays as it was.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useHub } from '../hub';
import { presetPeriod, readPeriod, setPeriod, toInput, usePeriod, type Period, type PeriodProblem } from './period';

export function PeriodBar() {
  const { t } = useTranslation();
  const zone = useHub((s) => s.timeZone);
  const period = usePeriod(zone);
  const [draft, setDraft] = useState({ from: toInput(period.from, zone), to: toInput(period.to, zone) });
  const [problem, setProblem] = useState<PeriodProblem | null>(null);
  // A preset (or another view) changed the period: the fields show it.
  useEffect(() => {
    setDraft({ from: toInput(period.from, zone), to: toInput(period.to, zone) });
    setProblem(null);
  }, [period.from, period.to, zone]);

  // A preset is always shown whole, even when it is the period already in force (the effect does not run then).
  const choose = (p: Period) => {
    setPeriod(p);
    setDraft({ from: toInput(p.from, zone), to: toInput(p.to, zone) });
    setProblem(null);
  };
  const apply = () => {
    const read = readPeriod(draft.from, draft.to, zone);
    if (typeof read === 'string') return setProblem(read);
    setProblem(null);
    setDraft({ from: toInput(read.from, zone), to: toInput(read.to, zone) }); // as the console writes it
    if (read.from !== period.from || read.to !== period.to) setPeriod(read);
  };
  const field = (which: 'from' | 'to') => (
    <label>{t(`evaluator.period.${which}`)}
      <input
        type="text" inputMode="numeric" spellCheck={false} size={16} placeholder="YYYY-MM-DD HH:MM"
        data-testid={`period-${which}`} value={draft[which]}
        aria-invalid={problem === which || problem === 'order' || undefined}
        onChange={(e) => { setDraft({ ...draft, [which]: e.target.value }); setProblem(null); }}
        onBlur={apply}
        onKeyDown={(e) => { if (e.key === 'Enter') apply(); }}
      />
    </label>
  );
  return (
    <div className="ev-period" data-testid="period">
      {field('from')}
      {field('to')}
      {(['today', 'yesterday', 'week'] as const).map((p) => (
        <button key={p} type="button" onClick={() => choose(presetPeriod(p, Date.now(), zone))}>{t(`evaluator.period.${p}`)}</button>
      ))}
      <span className="muted">{t('evaluator.period.zone', { zone })}</span>
      {problem && <span className="ev-period-problem" role="alert" data-testid="period-problem">{t(`evaluator.period.problem.${problem}`)}</span>}
    </div>
  );
}
