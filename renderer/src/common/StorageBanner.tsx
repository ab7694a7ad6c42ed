// Full width, under the header, while the hub cannot write its storage (disk full, read-only, busy,
// damaged): since when, what it means for the operator's commands, and that nothing is lost by waiting.
// The hub is still connected and answering, so this is not the outage banner: what is on screen is live,
// but nothing new can be recorded until the fault clears.
import { useTranslation } from 'react-i18next';
import { useHub } from '../hub';
import { ago, useClock } from './format';
import { useNow } from './useNow';

export function StorageBanner() {
  const { t } = useTranslation();
  const storage = useHub((s) => s.storage);
  const live = useHub((s) => s.connection.status === 'live');
  const time = useClock();
  const now = useNow();
  // Offline, the outage banner says more; the storage state is then as of the last contact.
  if (!live || storage.fault === null || storage.since === null) return null;
  return (
    <div className="outage storage-fault" role="alert" data-testid="storage-fault" data-fault={storage.fault}>
      <strong>{t('storage.title', { what: t(`storage.fault.${storage.fault}`), time: time(storage.since), ago: ago(t, now - storage.since) })}</strong>
      <span>{t('storage.body')}</span>
      {storage.refused > 0 && <span data-testid="storage-refused">{t('storage.refused', { count: storage.refused })}</span>}
      <span className="storage-code">{t(storage.paths.includes('positions') ? 'storage.positions' : 'storage.positionsOk')} · {storage.code}</span>
    </div>
  );
}
