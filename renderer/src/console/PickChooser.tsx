// When several things lie under one click (a unit and its camera, an incident on a camera), or the operator
// right-clicks / long-presses: a small list beside the pointer to choose from, with "create incident here"
// always on it for those who may dispatch.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import type { LngLat } from '../../../shared/domain';
import { useHub } from '../hub';
import { useCanDispatch } from '../common/commands';
import { select, useSelection, type Selection } from '../state/selection';
import { describe } from './describe';

export type Chooser = { at: LngLat; point: { x: number; y: number }; candidates: Selection[] };

const keyOf = (x: Selection) => ('id' in x ? `${x.kind}:${x.id}` : x.kind);

export function PickChooser({ chooser, onClose }: { chooser: Chooser; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const state = useHub((s) => s);
  const current = useSelection();
  const canDispatch = useCanDispatch();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);
  const choose = (sel: Selection) => {
    select(sel);
    onClose();
  };
  return (
    <div className="chooser" role="menu" data-testid="pick-chooser" style={{ left: chooser.point.x + 12, top: chooser.point.y + 12 }}>
      {canDispatch && (
        <button type="button" role="menuitem" className="chooser-create" data-testid="create-here" onClick={() => choose({ kind: 'place', at: chooser.at })}>
          {t('pick.createHere')}
        </button>
      )}
      {chooser.candidates.map((c) => {
        const d = describe(state, c, t, i18n.language);
        const on = current !== null && keyOf(current) === keyOf(c);
        return (
          <button type="button" role="menuitem" key={keyOf(c)} data-pick={keyOf(c)} aria-current={on} onClick={() => choose(c)}>
            <span className="chooser-kind">{d.kind}</span>
            <span>{d.name}</span>
          </button>
        );
      })}
      <button type="button" className="chooser-close" onClick={onClose} aria-label={t('panel.close')}>×</button>
    </div>
  );
}
