// Left column: search, layer switches with counts, and the legend.
import { LayerSwitchList } from './LayerSwitches';
import { Legend } from './Legend';
import { Search } from './Search';

export function Sidebar() {
  return (
    <aside className="sidebar">
      <Search />
      <LayerSwitchList />
      <Legend />
    </aside>
  );
}
