// The statement form's running total: income, essential spending and what is left each
// month, updated as the debtor types. Amounts are read with the same grammar as the server
// (app/rules/money.py parse_money): full-width digits, "¥", "RMB", "人民币", "元", one unit
// 万 or 千 at the end, thousands commas in groups of three, at most two decimals (after the
// unit). What cannot be read counts as nothing and is pointed out, as the server does in
// app/rules/affordability.py running_totals. Sums are kept in whole fen (exact integers).
(function () {
  "use strict";
  var form = document.querySelector("form[data-running-total]");
  if (!form) {
    return;
  }
  var NUMBER = /^(0|[1-9][0-9]*|[1-9][0-9]{0,2}(?:,[0-9]{3})+)(?:\.([0-9]+))?$/;
  var UNITS = { "万": 4, "千": 3 };

  // The amount in fen, 0 for an empty field, or null when it cannot be read.
  function fen(raw) {
    var text = raw.normalize("NFKC").replace(/\s+/g, " ").trim();
    if (!text) {
      return 0;
    }
    text = text.replace(/ (?=[^0-9])|(?<=[^0-9]) /g, "").replace(/([0-9]) (?=[0-9])/g, "$1,");
    ["人民币", "RMB", "¥"].some(function (prefix) {
      if (text.toUpperCase().indexOf(prefix) === 0) {
        text = text.slice(prefix.length);
        return true;
      }
      return false;
    });
    if (text.slice(-1) === "元") {
      text = text.slice(0, -1);
    }
    var shift = 0;
    var last = text.slice(-1);
    if (UNITS[last] !== undefined) {
      shift = UNITS[last];
      text = text.slice(0, -1);
    }
    var match = NUMBER.exec(text);
    if (!match) {
      return null;
    }
    var digits = match[1].replace(/,/g, "");
    var frac = match[2] || "";
    if (shift === 0 && frac.length > 2) {
      return null;
    }
    // Move the decimal point right by the unit's power of ten, then by two places for fen.
    var places = shift + 2;
    if (frac.length > places) {
      if (/[^0]/.test(frac.slice(places))) {
        return null; // finer than a fen
      }
      frac = frac.slice(0, places);
    }
    var whole = digits + frac + "0".repeat(places - frac.length);
    var value = parseInt(whole, 10);
    return value > 999999999999 ? null : value;
  }

  function yuan(amountFen) {
    var sign = amountFen < 0 ? "-" : "";
    var abs = Math.abs(amountFen);
    var units = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var cents = String(abs % 100).padStart(2, "0");
    return sign + "¥" + units + "." + cents;
  }

  function sum(prefix, state) {
    var total = 0;
    form.querySelectorAll("input[name^='" + prefix + "']").forEach(function (input) {
      var value = fen(input.value);
      if (value === null) {
        state.unreadable = true;
      } else {
        total += value;
      }
    });
    return total;
  }

  function show(name, text) {
    var node = form.querySelector("[data-total='" + name + "']");
    if (node) {
      node.textContent = text;
    }
  }

  function update() {
    var state = { unreadable: false };
    var income = sum("income_", state);
    var spending = sum("spend_", state);
    show("income", yuan(income));
    show("spending", yuan(spending));
    show("left", yuan(income - spending));
    var note = form.querySelector("[data-total='unreadable']");
    if (note) {
      note.hidden = !state.unreadable;
    }
  }

  form.addEventListener("input", update);
  update();
})();
