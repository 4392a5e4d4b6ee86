// Passkeys (WebAuthn): add one on /account/passkeys, sign in with one on /login, and answer a step-up ("Use a
// passkey instead") on any form that has the step-up widget (macros.html `passkey_step_up`). The server makes every
// challenge and checks every answer (server/passkeys.py); this only carries them between it and the browser.
(function () {
  "use strict";

  function toBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)).buffer;
  }

  function toText(buffer) {
    let binary = "";
    new Uint8Array(buffer).forEach((b) => { binary += String.fromCharCode(b); });
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(o) {
    return Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      user: Object.assign({}, o.user, { id: toBytes(o.user.id) }),
      excludeCredentials: (o.excludeCredentials || []).map((c) => Object.assign({}, c, { id: toBytes(c.id) })),
    });
  }

  function requestOptions(o) {
    return Object.assign({}, o, {
      challenge: toBytes(o.challenge),
      allowCredentials: (o.allowCredentials || []).map((c) => Object.assign({}, c, { id: toBytes(c.id) })),
    });
  }

  function credentialJSON(c) {
    const r = c.response;
    const response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({
      id: c.id, rawId: toText(c.rawId), type: c.type, response: response,
      authenticatorAttachment: c.authenticatorAttachment || undefined,
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {},
    });
  }

  // POST form fields; resolves to [status, parsed JSON].
  async function post(url, fields) {
    const body = new URLSearchParams(fields);
    const answer = await fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": fields.csrf_token, Accept: "application/json" },
    });
    let data = {};
    try { data = await answer.json(); } catch (e) { data = { errors: { form: "Something went wrong. Reload the page and try again." } }; }
    return [answer.status, data];
  }

  function firstError(data) {
    const errors = (data && data.errors) || {};
    return errors.form || errors.password || errors.name || Object.values(errors)[0] || "That didn't work. Try again.";
  }

  function show(box, message) {
    box.textContent = message;
    box.hidden = !message;
  }

  const cancelled = "The passkey request was cancelled or timed out. Try again when you're ready.";
  // Passkeys are bound to one origin (WEBAUTHN_ORIGIN): opened at any other address they cannot work, so the
  // passkey controls stay hidden there.
  const origin = document.querySelector('meta[name="passkey-origin"]');
  const supported = !!(window.PublicKeyCredential && navigator.credentials) && !!origin && origin.content === location.origin;

  // Adding a passkey: password step-up and options, then the browser makes the key, then the server keeps it.
  function setUpAdd(form) {
    const box = document.getElementById("passkey-add-error");
    if (!supported) { document.getElementById("passkey-unsupported").hidden = false; form.hidden = true; return; }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const csrf = form.elements.csrf_token.value;
      const name = form.elements.name.value;
      show(box, "");
      const [status, options] = await post(form.dataset.options, { csrf_token: csrf, name: name, password: form.elements.password.value, code: form.elements.code ? form.elements.code.value : "" });
      if (status !== 200) { show(box, firstError(options)); return; }
      form.elements.password.value = "";
      if (form.elements.code) form.elements.code.value = "";
      let credential;
      try {
        credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
      } catch (e) {
        show(box, e && e.name === "InvalidStateError" ? "This device already has a passkey for your account." : cancelled);
        return;
      }
      const [done, result] = await post(form.action, { csrf_token: csrf, name: name, credential: credentialJSON(credential) });
      if (done !== 200) { show(box, firstError(result)); return; }
      window.location.assign(result.redirect);
    });
  }

  // Signing in with a passkey alone: the browser offers the passkeys it holds for this site.
  function setUpSignIn(box) {
    if (!supported) return;
    box.hidden = false;
    const error = document.getElementById("passkey-sign-in-error");
    document.getElementById("passkey-sign-in-button").addEventListener("click", async () => {
      const csrf = box.dataset.csrf;
      show(error, "");
      const [status, options] = await post(box.dataset.options, { csrf_token: csrf });
      if (status !== 200) { show(error, firstError(options)); return; }
      let credential;
      try {
        credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      } catch (e) { show(error, cancelled); return; }
      const [done, result] = await post(box.dataset.url, { csrf_token: csrf, next: box.dataset.next, credential: credentialJSON(credential) });
      if (done !== 200) { show(error, firstError(result)); return; }
      window.location.assign(result.redirect);
    });
  }

  // Step-up: the form's own submit, carrying the assertion in place of the password.
  function setUpStepUp(widget) {
    if (!supported || widget.dataset.ready) return;
    widget.dataset.ready = "1";
    widget.hidden = false;
    const form = widget.closest("form");
    const error = widget.querySelector(".passkey-error");
    widget.querySelector("button").addEventListener("click", async () => {
      const csrf = form.elements.csrf_token.value;
      show(error, "");
      const [status, options] = await post(widget.dataset.options, { csrf_token: csrf });
      if (status !== 200) { show(error, firstError(options)); return; }
      let credential;
      try {
        credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
      } catch (e) { show(error, cancelled); return; }
      form.elements.passkey_assertion.value = credentialJSON(credential);
      if (form.elements.password) form.elements.password.required = false;
      if (form.elements.code) form.elements.code.required = false;
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  }

  function start() {
    const add = document.getElementById("passkey-add");
    if (add) setUpAdd(add);
    const signIn = document.getElementById("passkey-sign-in");
    if (signIn) setUpSignIn(signIn);
    document.querySelectorAll(".passkey-step-up").forEach(setUpStepUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  // Step-up boxes that htmx swaps in later (a note's sign box) are set up as they arrive.
  document.addEventListener("htmx:load", (event) => {
    if (event.target.querySelectorAll) event.target.querySelectorAll(".passkey-step-up").forEach(setUpStepUp);
  });
})();
