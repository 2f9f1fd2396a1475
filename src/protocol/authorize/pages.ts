/** The sign-in pages: plain, accessible HTML with no script; every dynamic value escaped. */

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const css = `
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f4f6;color:#111827}
main{max-width:420px;margin:8vh auto;background:#fff;border-radius:12px;box-shadow:0 10px 30px rgba(0,0,0,.08);padding:36px 40px}
.brand{display:flex;align-items:center;gap:10px;font-weight:600;letter-spacing:.02em;color:#1f2937;margin-bottom:24px}
.brand svg{width:28px;height:28px}h1{font-size:22px;margin:0 0 6px}p.sub{margin:0 0 22px;color:#4b5563}
label{display:block;font-weight:600;margin:14px 0 6px}input[type=text],input[type=password],input[type=email]{width:100%;padding:10px 12px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
input:focus{outline:2px solid #2563eb;outline-offset:1px;border-color:#2563eb}button{margin-top:22px;width:100%;padding:11px;border:0;border-radius:8px;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
button:hover{background:#1e40af}.err{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;border-radius:8px;padding:10px 12px;margin-bottom:14px}
.ok{background:#ecfdf5;color:#065f46;border:1px solid #a7f3d0;border-radius:8px;padding:10px 12px}.app{color:#374151;font-size:13px;margin-top:22px;border-top:1px solid #e5e7eb;padding-top:14px}
`;

const logo = '<svg viewBox="0 0 32 32" aria-hidden="true"><rect x="2" y="2" width="13" height="13" rx="2" fill="#1d4ed8"/><rect x="17" y="2" width="13" height="13" rx="2" fill="#60a5fa"/><rect x="2" y="17" width="13" height="13" rx="2" fill="#93c5fd"/><rect x="17" y="17" width="13" height="13" rx="2" fill="#1e3a8a"/></svg>';

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} · Tessera</title><style>${css}</style></head><body><main><div class="brand">${logo}<span>Tessera</span></div>${body}</main></body></html>`;
}

export interface LoginPageInput { action: string; interaction: string; appName: string; error?: string | undefined; username?: string | undefined; tenantDomain: string }

export function loginPage(i: LoginPageInput): string {
  return page('Sign in', `<h1>Sign in</h1><p class="sub">to continue to <strong>${escapeHtml(i.appName)}</strong></p>
${i.error ? `<div class="err" role="alert">${escapeHtml(i.error)}</div>` : ''}
<form method="post" action="${escapeHtml(i.action)}" autocomplete="on">
<input type="hidden" name="interaction" value="${escapeHtml(i.interaction)}">
<label for="username">Email or username</label><input id="username" name="username" type="email" required autofocus value="${escapeHtml(i.username ?? '')}" placeholder="someone@${escapeHtml(i.tenantDomain)}">
<label for="password">Password</label><input id="password" name="password" type="password" required autocomplete="current-password">
<button type="submit">Sign in</button></form><div class="app">Organisation: ${escapeHtml(i.tenantDomain)}</div>`);
}

export function otpPage(i: { action: string; interaction: string; appName: string; error?: string | undefined; reason?: string }): string {
  return page('Verify your identity', `<h1>Verify your identity</h1><p class="sub">${escapeHtml(i.reason ?? 'Enter the code from your authenticator app.')}</p>
${i.error ? `<div class="err" role="alert">${escapeHtml(i.error)}</div>` : ''}
<form method="post" action="${escapeHtml(i.action)}"><input type="hidden" name="interaction" value="${escapeHtml(i.interaction)}">
<label for="otp">Verification code</label><input id="otp" name="otp" type="text" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" required autofocus autocomplete="one-time-code">
<button type="submit">Verify</button></form><div class="app">Signing in to ${escapeHtml(i.appName)}</div>`);
}

export function messagePage(title: string, message: string, ok = false): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><div class="${ok ? 'ok' : 'err'}" role="${ok ? 'status' : 'alert'}">${escapeHtml(message)}</div>`);
}

export function deviceCodeEntryPage(i: { action: string; error?: string | undefined; code?: string | undefined }): string {
  return page('Enter code', `<h1>Enter code</h1><p class="sub">Enter the code displayed on your app or device.</p>
${i.error ? `<div class="err" role="alert">${escapeHtml(i.error)}</div>` : ''}
<form method="post" action="${escapeHtml(i.action)}"><label for="user_code">Code</label><input id="user_code" name="user_code" type="text" required autofocus autocomplete="off" value="${escapeHtml(i.code ?? '')}">
<button type="submit">Next</button></form>`);
}

export function formPostPage(redirectUri: string, fields: Record<string, string>): string {
  // OAuth 2.0 Form Post Response Mode §2: an auto-submitting form; the only script on any page.
  const inputs = Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Continue</title></head><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
}
