// Left column: search, layer switches with counts, attendance, and the legend.
import { useTranslation } from 'react-i18next';
import { LayerSwitchList } from './LayerSwitches';
import { Legend } from './Legend';
import { Search } from './Search';
import { AttendancePanel } from './AttendancePanel';

export function Sidebar() {
  const { t } = useTranslation();
  return (
    <aside className="sidebar">
      <Search />
      <LayerSwitchList />
      <AttendancePanel />
      <Legend />
      <p className="hint" data-testid="pick-hint">{t('pick.hint')}</p>
    </aside>
  );
}
