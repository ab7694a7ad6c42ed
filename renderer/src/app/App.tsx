import { useEffect } from 'react';
import { hub, useHub } from '../hub';
import { Console } from '../console/Console';
import { Login } from './Login';
import { WallView } from '../wall/WallView';
import { adoptHubParam, wallRoute } from '../wall/route';

// A wall display window (?view=…) shows its wall instead of the console once signed in.
const route = wallRoute(location.search);
adoptHubParam(location.search);

export function App() {
  const signedIn = useHub((s) => s.user !== null && s.connection.status !== 'signed_out');
  useEffect(() => {
    // A reload keeps the session (token in sessionStorage); a refused token lands on the login screen.
    hub.resume()?.catch(() => undefined);
  }, []);
  if (!signedIn) return <Login />;
  return route ? <WallView route={route} /> : <Console />;
}
