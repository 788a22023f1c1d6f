/* "I'm not a robot": solves the ALTCHA proof-of-work challenge in the page (no third party, CSP-clean).
   Finds n with SHA-256(salt + n) == challenge, then puts the base64 JSON payload in the hidden field. */
(function () {
  "use strict";

  function toHex(buffer) {
    var bytes = new Uint8Array(buffer), out = "";
    for (var i = 0; i < bytes.length; i++) { out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return out;
  }

  async function solve(challenge) {
    var encoder = new TextEncoder();
    var algorithm = challenge.algorithm || "SHA-256";
    var max = challenge.maxNumber || challenge.maxnumber || 1000000;
    var batch = 500;
    for (var start = 0; start <= max; start += batch) {
      var jobs = [];
      for (var n = start; n < Math.min(start + batch, max + 1); n++) {
        jobs.push(crypto.subtle.digest(algorithm, encoder.encode(challenge.salt + n)));
      }
      var hashes = await Promise.all(jobs);
      for (var i = 0; i < hashes.length; i++) {
        if (toHex(hashes[i]) === challenge.challenge) { return start + i; }
      }
    }
    return null;
  }

  function setUp(box) {
    var root = box.closest("[data-robot-check]");
    // this browser runs scripts: show the tick box, drop the note for browsers without them, say so
    box.closest(".robot-check__row").hidden = false;
    root.querySelector("[data-robot-no-js]").hidden = true;
    root.querySelector("[data-robot-js]").value = "1";
    var payload = root.querySelector("[data-robot-payload]");
    var status = root.querySelector("[data-robot-status]");
    box.addEventListener("change", async function () {
      if (!box.checked) { payload.value = ""; status.textContent = ""; return; }
      if (payload.value) { return; }
      box.disabled = true;
      status.textContent = status.dataset.textWorking;
      try {
        var challenge = JSON.parse(root.dataset.challenge);
        var number = await solve(challenge);
        if (number === null) { throw new Error("no solution"); }
        payload.value = btoa(JSON.stringify({
          algorithm: challenge.algorithm, challenge: challenge.challenge, number: number,
          salt: challenge.salt, signature: challenge.signature
        }));
        status.textContent = status.dataset.textDone;
        root.classList.add("robot-check--done");
      } catch (error) {
        box.checked = false;
        status.textContent = status.dataset.textFailed;
      } finally {
        box.disabled = false;
      }
    });
  }

  document.querySelectorAll("[data-robot-box]").forEach(setUp);
})();
