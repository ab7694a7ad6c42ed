import { useHub } from '../hub';

export function App() {
  const status = useHub((s) => s.connection.status);
  return <div>{status}</div>;
}
