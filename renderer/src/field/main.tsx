import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../i18n';
import { FieldApp } from './FieldApp';
import './field.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <FieldApp />
  </StrictMode>,
);
