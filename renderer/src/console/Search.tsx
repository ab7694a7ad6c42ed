// Search by name, badge, plate or camera name; choosing a result flies the map there and selects it.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, type HubState } from '../hub';
import { flyTo } from '../map/focus';
import { select, type Selection } from '../state/selection';

type Hit = { sel: Selection; kind: string; title: string; sub: string };
const MAX_HITS = 8;

export function searchHub(s: HubState, query: string): Hit[] {
  const q = query.trim().toLowerCase();
  if (q.length < 1) return [];
  const has = (...xs: (string | null)[]) => xs.some((x) => x !== null && x.toLowerCase().includes(q));
  const hits: Hit[] = [];
  for (const u of s.units.values()) {
    if (has(u.name, u.badge, u.plate, u.id)) hits.push({ sel: { kind: 'unit', id: u.id }, kind: u.kind, title: u.name, sub: u.badge ?? u.plate ?? u.id });
  }
  for (const c of s.cameras.values()) {
    if (has(c.name, c.id)) hits.push({ sel: { kind: 'camera', id: c.id }, kind: 'camera', title: c.name, sub: c.id });
  }
  for (const a of s.areas.values()) {
    if (has(a.name, a.id)) hits.push({ sel: { kind: 'area', id: a.id }, kind: a.kind, title: a.name, sub: a.id });
  }
  for (const r of s.routes.values()) {
    if (has(r.name, r.id)) hits.push({ sel: { kind: 'route', id: r.id }, kind: 'route', title: r.name, sub: r.roads.join(' · ') });
  }
  // Exact and prefix matches first, so typing a full badge or plate puts that unit on top.
  const rank = (h: Hit) => {
    const t = h.title.toLowerCase();
    const sub = h.sub.toLowerCase();
    return t === q || sub === q ? 0 : t.startsWith(q) || sub.startsWith(q) ? 1 : 2;
  };
  return hits.sort((a, b) => rank(a) - rank(b)).slice(0, MAX_HITS);
}

export function Search() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const hits = useMemo(() => searchHub(hub.getState(), q), [q]);

  const choose = (h: Hit) => {
    select(h.sel);
    flyTo(h.sel);
    setQ('');
  };

  return (
    <div className="search">
      <input
        type="search"
        data-testid="search"
        placeholder={t('search.placeholder')}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && hits[0]) choose(hits[0]);
          if (e.key === 'Escape') setQ('');
        }}
      />
      {q.trim() && (
        <ul className="hits" role="listbox">
          {hits.length === 0 && <li className="none">{t('search.none')}</li>}
          {hits.map((h) => (
            <li key={`${h.sel.kind}:${'id' in h.sel ? h.sel.id : ''}`} role="option" aria-selected={false} onClick={() => choose(h)}>
              <span className="hit-kind">{t(`kinds.${h.kind}`)}</span>
              <span className="hit-title">{h.title}</span>
              <span className="hit-sub">{h.sub}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
