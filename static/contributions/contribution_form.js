/* Registration and renewal forms: show the amount as plan and months change, and list only the cities of
   the chosen state. The server checks and recomputes everything; without JavaScript the form still works. */
(function () {
  "use strict";

  function toSen(text) {
    var match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text || "").trim());
    if (!match) { return null; }
    return parseInt(match[1], 10) * 100 + parseInt(((match[2] || "") + "00").slice(0, 2), 10);
  }

  function formatSen(sen) {
    var whole = Math.floor(sen / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = ("0" + (sen % 100)).slice(-2);
    return "RM " + whole + "." + cents;
  }

  function monthlySen() {
    var checked = document.querySelector("input[name='plan']:checked");
    if (checked) { return toSen(checked.getAttribute("data-monthly")); }
    var locked = document.querySelector("[data-locked-monthly]");
    return locked ? toSen(locked.getAttribute("data-locked-monthly")) : null;
  }

  function updateAmount() {
    var output = document.getElementById("amount-output");
    var months = document.getElementById("id_months");
    if (!output || !months) { return; }
    var count = parseInt(months.value, 10);
    var monthly = monthlySen();
    output.textContent = (monthly !== null && count >= 1 && count <= 12) ? formatSen(monthly * count) : "–";
  }

  function setUpAmount() {
    var inputs = document.querySelectorAll("input[name='plan'], #id_months");
    for (var i = 0; i < inputs.length; i++) { inputs[i].addEventListener("change", updateAmount); }
    updateAmount();
  }

  function setUpTowns() {
    var state = document.getElementById("id_state");
    var town = document.getElementById("id_town");
    if (!state || !town) { return; }
    var placeholder = town.querySelector("option[value='']");
    var groups = Array.prototype.slice.call(town.querySelectorAll("optgroup")).map(function (group) {
      return group.cloneNode(true);
    });
    function filter() {
      var chosen = state.options[state.selectedIndex];
      var stateName = chosen && chosen.value ? chosen.textContent.trim() : "";
      var previous = town.value;
      while (town.firstChild) { town.removeChild(town.firstChild); }
      if (placeholder) { town.appendChild(placeholder.cloneNode(true)); }
      groups.forEach(function (group) {
        if (!stateName || group.label === stateName) { town.appendChild(group.cloneNode(true)); }
      });
      town.value = previous;
      if (town.value !== previous) { town.value = ""; }
    }
    state.addEventListener("change", filter);
    filter();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpAmount();
    setUpTowns();
  });
})();
