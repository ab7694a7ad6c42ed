// A selection in words (the pick chooser's lines): what kind of thing, and its name.
import type { TFunction } from 'i18next';
import { INCIDENT_CATEGORY_LABELS } from '../../../shared/domain';
import type { HubState } from '../hub';
import { pick } from '../i18n';
import type { Selection } from '../state/selection';

export function describe(s: HubState, sel: Selection, t: TFunction, lang: string): { kind: string; name: string } {
  switch (sel.kind) {
    case 'unit': {
      const u = s.units.get(sel.id);
      return { kind: t(`kinds.${u?.kind ?? 'officer'}`), name: u?.name ?? sel.id };
    }
    case 'camera': {
      const c = s.cameras.get(sel.id);
      return { kind: t(c ? `camKind.${c.kind}` : 'kinds.camera'), name: c?.name ?? sel.id };
    }
    case 'incident': {
      const i = s.incidents.get(sel.id);
      return { kind: t('kinds.incident'), name: i ? `${pick(INCIDENT_CATEGORY_LABELS[i.category], lang)} · ${t(`priority.${i.priority}`)}` : sel.id };
    }
    case 'area': {
      const a = s.areas.get(sel.id);
      return { kind: t(`kinds.${a?.kind ?? 'cell'}`), name: a?.name ?? sel.id };
    }
    case 'route':
      return { kind: t('kinds.route'), name: s.routes.get(sel.id)?.name ?? sel.id };
    case 'place':
      return { kind: t('kinds.place'), name: `${sel.at[1].toFixed(5)}, ${sel.at[0].toFixed(5)}` };
  }
}
