/**
 * Browser code of the dashboard, part 2: the API client and the sign-in form.
 * A 401 opens a small form asking for a bearer token; a 403 opens it again
 * saying which scope is missing, so another token can be entered. The token
 * lives in sessionStorage only (this tab, this session). A `?token=` in the
 * address is accepted once and removed from the address bar.
 * Plain JavaScript, no template literals.
 */
export const CLIENT_AUTH = `
/** Move a ?token= from the address bar into sessionStorage (out of history and logs). */
function takeTokenFromUrl() {
  const url = new URL(location.href);
  const token = url.searchParams.get("token");
  if (token === null) return;
  if (token.trim()) sessionStorage.setItem(TOKEN_KEY, token.trim());
  url.searchParams.delete("token");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
}

let asking = null;
let authCancelled = false;

/** Show the sign-in form; resolves true once a token was entered, false when cancelled. One form at a time. */
function askToken(message) {
  if (asking) return asking;
  const dialog = $("signin");
  const input = $("signin-token");
  $("signin-message").textContent = message;
  input.value = "";
  asking = new Promise((resolve) => {
    const done = (ok) => {
      $("signin-form").removeEventListener("submit", submit);
      $("signin-cancel").removeEventListener("click", cancel);
      dialog.removeEventListener("cancel", cancel);
      if (dialog.open) dialog.close();
      asking = null;
      resolve(ok);
    };
    const submit = (event) => {
      event.preventDefault();
      const token = input.value.trim();
      if (!token) return;
      sessionStorage.setItem(TOKEN_KEY, token);
      done(true);
    };
    const cancel = (event) => {
      event.preventDefault();
      authCancelled = true;
      done(false);
    };
    $("signin-form").addEventListener("submit", submit);
    $("signin-cancel").addEventListener("click", cancel);
    dialog.addEventListener("cancel", cancel);
  });
  dialog.showModal();
  input.focus();
  return asking;
}

class ApiFailure extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

function authMessage(status, error, hadToken) {
  if (status === 403) return (error && error.message ? error.message + ". " : "") + "Enter a token that has this scope.";
  return hadToken ? "That token was not accepted. Enter another one." : "This dashboard needs an access token.";
}

/** Call the API (path relative to api/v1/); asks for a token on 401/403 and retries. */
async function api(path, params, init) {
  const url = new URL(path, API);
  for (const [key, value] of Object.entries(params || {})) url.searchParams.set(key, value);
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: "application/json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    const res = await fetch(url, Object.assign({ headers, cache: "no-store", credentials: "same-origin" }, init));
    const body = await res.json().catch(() => null);
    if (res.ok) return body;
    const error = body && body.error ? body.error : { code: "E_HTTP", message: "HTTP " + res.status };
    if ((res.status === 401 || res.status === 403) && attempt < 3) {
      // Another request may have got a new token while this one was on its way.
      if (sessionStorage.getItem(TOKEN_KEY) !== token) continue;
      if (!authCancelled && (await askToken(authMessage(res.status, error, Boolean(token))))) continue;
      $("signin-open").hidden = false;
    }
    throw new ApiFailure(error.message, error.code, res.status);
  }
}
`;
