import { useEffect } from 'react';
import { hub, useHub } from '../hub';
import { Console } from '../console/Console';
import { Evaluator } from '../evaluator/Evaluator';
import { Admin } from '../admin/Admin';
import { Login } from './Login';
import { WallView } from '../wall/WallView';
import { adoptHubParam, wallRoute } from '../wall/route';

// A wall display window (?view=…) shows its wall instead of the console once signed in.
const route = wallRoute(location.search);
adoptHubParam(location.search);

export function App() {
  const signedIn = useHub((s) => s.user !== null && s.connection.status !== 'signed_out');
  const role = useHub((s) => s.user?.role);
  useEffect(() => {
    // A reload keeps the session (token in sessionStorage); a refused token lands on the login screen.
    hub.resume()?.catch(() => undefined);
  }, []);
  if (!signedIn) return <Login />;
  if (route) return <WallView route={route} />;
  // Evaluators review the record (timeline, replay, scorecard); admins set the center up; everyone else works the live city.
  if (role === 'evaluator') return <Evaluator />;
  if (role === 'admin') return <Admin />;
  return <Console />;
}
