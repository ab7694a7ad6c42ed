import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../i18n';
import { FieldApp } from './FieldApp';
import './field.css';

// Installable and able to start without signal (field-sw.js). Service workers exist only in secure
// contexts (https, or localhost); elsewhere the page runs the same without one.
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('./field-sw.js', { scope: './field' }).catch(() => {});
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <FieldApp />
  </StrictMode>,
);
