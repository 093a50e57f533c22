import { h, replace } from '../dom.js';

/** Log in with an API token (`redback tokens create`); it is kept for this tab only. */
export function renderLogin(view, onToken) {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', required: true, placeholder: 'rbt_…', spellcheck: 'false' });
  const message = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    {
      class: 'card login',
      onsubmit: async (event) => {
        event.preventDefault();
        message.textContent = '';
        try {
          await onToken(input.value.trim());
        } catch (error) {
          message.textContent = error.message;
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Paste your API token. An administrator creates one with ', h('code', {}, 'redback tokens create'), '. It stays in this browser tab only and is sent to this server alone.'),
    h('label', { for: 'token' }, 'API token'),
    input,
    message,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  replace(view, form);
  input.focus();
}
