// Running total of a score sheet while the expert types (the server recomputes it on save).
(function () {
  "use strict";
  var output = document.getElementById("sheet-total");
  if (!output) { return; }
  var inputs = document.querySelectorAll("input[data-max]");
  function update() {
    var tenths = 0;
    for (var i = 0; i < inputs.length; i++) {
      var v = inputs[i].value.trim();
      if (/^\d{1,3}(\.\d)?$/.test(v) && parseFloat(v) <= parseFloat(inputs[i].getAttribute("data-max"))) {
        tenths += Math.round(parseFloat(v) * 10);
      }
    }
    output.textContent = (tenths % 10 === 0) ? String(tenths / 10) : (tenths / 10).toFixed(1);
  }
  for (var i = 0; i < inputs.length; i++) { inputs[i].addEventListener("input", update); }
})();
