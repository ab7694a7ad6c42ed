import { useEffect } from 'react';
import { hub, useHub } from '../hub';
import { Console } from './Console';
import { Login } from './Login';

export function App() {
  const signedIn = useHub((s) => s.user !== null && s.connection.status !== 'signed_out');
  useEffect(() => {
    // A reload keeps the session (token in sessionStorage); a refused token lands on the login screen.
    hub.resume()?.catch(() => undefined);
  }, []);
  return signedIn ? <Console /> : <Login />;
}
