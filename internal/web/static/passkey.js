// Passkeys (WebAuthn): registration on the account page, sign-in on the
// sign-in pages. The server gives the options and checks the answers;
// this file only converts between JSON and the browser's binary API.
// Loaded as a file (the Content-Security-Policy allows no inline script);
// listeners sit on the document, so pages swapped in by htmx work too.
(function () {
  "use strict";
  if (window.homewardPasskeys) return;
  window.homewardPasskeys = true;

  function toBytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toText(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function ids(list) {
    return (list || []).map(function (c) { return Object.assign({}, c, { id: toBytes(c.id) }); });
  }
  function post(url, body, csrf) {
    var headers = { "Content-Type": "application/json", "Accept": "application/json" };
    if (csrf) headers["X-CSRF-Token"] = csrf;
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: JSON.stringify(body || {}) })
      .then(function (res) {
        return res.json().then(function (v) {
          if (!res.ok) throw new Error(v.error || "");
          return v;
        });
      });
  }
  function show(box, err) {
    var p = box.querySelector("[data-passkey-error]");
    if (!p) return;
    p.textContent = (err && err.message) || box.getAttribute("data-failed");
    p.hidden = false;
  }
  function supported(box) {
    if (window.PublicKeyCredential && navigator.credentials) return true;
    show(box, new Error(box.getAttribute("data-unsupported")));
    return false;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.matches || !form.matches("[data-passkey-register]")) return;
    ev.preventDefault();
    if (!supported(form)) return;
    var csrf = form.getAttribute("data-csrf"), name = form.querySelector("[name=name]").value;
    post("/account/passkeys/begin", {}, csrf).then(function (opts) {
      var pk = opts.publicKey;
      pk.challenge = toBytes(pk.challenge);
      pk.user.id = toBytes(pk.user.id);
      pk.excludeCredentials = ids(pk.excludeCredentials);
      return navigator.credentials.create({ publicKey: pk });
    }).then(function (cred) {
      var r = cred.response;
      return post("/account/passkeys", { name: name, answer: {
        id: cred.id, rawId: toText(cred.rawId), type: cred.type,
        response: { clientDataJSON: toText(r.clientDataJSON), attestationObject: toText(r.attestationObject),
          transports: r.getTransports ? r.getTransports() : [] } } }, csrf);
    }).then(function (v) { window.location.assign(v.next); }, function (err) { show(form, err); });
  });

  document.addEventListener("click", function (ev) {
    var box = ev.target.closest && ev.target.closest("[data-passkey-login]");
    if (!box || !ev.target.closest("button")) return;
    ev.preventDefault();
    if (!supported(box)) return;
    post("/login/passkey/begin", {}).then(function (opts) {
      var pk = opts.publicKey;
      pk.challenge = toBytes(pk.challenge);
      pk.allowCredentials = ids(pk.allowCredentials);
      return navigator.credentials.get({ publicKey: pk });
    }).then(function (cred) {
      var r = cred.response;
      return post("/login/passkey/finish", { next: box.getAttribute("data-next"), answer: {
        id: cred.id, rawId: toText(cred.rawId), type: cred.type,
        response: { clientDataJSON: toText(r.clientDataJSON), authenticatorData: toText(r.authenticatorData),
          signature: toText(r.signature), userHandle: r.userHandle ? toText(r.userHandle) : "" } } });
    }).then(function (v) { window.location.assign(v.next); }, function (err) { show(box, err); });
  });
})();
