/* "Resend OTP": counts down the seconds the server will refuse a new code, then enables the button.
   Without JavaScript the button is always there and the server answers with the time left. */
(function () {
  "use strict";
  document.querySelectorAll("[data-resend]").forEach(function (form) {
    var button = form.querySelector("[data-resend-button]");
    var status = form.querySelector("[data-resend-status]");
    var seconds = parseInt(form.dataset.seconds || "0", 10);
    if (!button || !status || !(seconds > 0)) { return; }
    var template = status.dataset.textWait;
    button.disabled = true;
    function tick() {
      if (seconds <= 0) {
        button.disabled = false;
        status.textContent = "";
        return;
      }
      status.textContent = template.replace("%s", String(seconds));
      seconds -= 1;
      window.setTimeout(tick, 1000);
    }
    tick();
  });
})();
