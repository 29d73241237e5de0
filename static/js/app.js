/* 吹哨报到: small behaviours of the pages. No framework; htmx does the live updates. */
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("i18n-js").textContent);

  // --- countdowns: "12:34 left" / "03:10 late", from the server's clock -----------------
  var skew = 0; // server time minus this device's time, in ms
  function readSkew(root) {
    var el = root.querySelector ? root.querySelector("[data-server-now]") : null;
    if (root.dataset && root.dataset.serverNow) el = root;
    if (el) skew = Date.parse(el.dataset.serverNow) - Date.now();
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function format(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now() + skew;
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now;
      el.textContent = left >= 0 ? T.left.replace("%s", format(left)) : T.late.replace("%s", format(left));
      el.classList.toggle("late", left < 0);
      el.classList.toggle("soon", left >= 0 && left <= 10 * 60 * 1000);
    });
  }
  readSkew(document);
  tick();
  setInterval(tick, 1000);
  document.body.addEventListener("htmx:afterSwap", function (event) { readSkew(event.target); tick(); alertNew(); });

  // --- position from the phone, when allowed ---------------------------------------------
  function locate(form, status, done) {
    if (!navigator.geolocation) { if (status) status.textContent = T.noPosition; done(); return; }
    if (status) status.textContent = T.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
      if (status) status.textContent = T.located.replace("%s", Math.round(pos.coords.accuracy));
      done();
    }, function () { if (status) status.textContent = T.noPosition; done(); },
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  }
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    button.addEventListener("click", function () {
      locate(button.form, button.form.querySelector("[data-locate-status]"), function () {});
    });
  });
  // a front-line report asks for the position as the form opens (the phone asks once)
  document.querySelectorAll("form[data-locate-auto]").forEach(function (form) {
    locate(form, form.querySelector("[data-locate-status]"), function () {});
  });
  document.querySelectorAll("[data-arrive-form]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.located) return;
      event.preventDefault();
      form.querySelector("button[type=submit]").disabled = true;
      locate(form, form.querySelector("[data-locate-status]"), function () {
        form.dataset.located = "1";
        form.submit();
      });
    });
  });

  // --- categories follow the kind of whistle ----------------------------------------------
  var cats = document.getElementById("kind-categories");
  if (cats) {
    var byKind = JSON.parse(cats.textContent);
    var select = document.getElementById("id_category");
    var showFor = function (kind) {
      var current = select.value;
      var options = byKind[kind] || [];
      select.innerHTML = "";
      options.forEach(function (c) {
        var o = document.createElement("option");
        o.value = c.code; o.textContent = c.name;
        if (c.code === current) o.selected = true;
        select.appendChild(o);
      });
    };
    document.querySelectorAll("input[name=kind]").forEach(function (radio) {
      radio.addEventListener("change", function () { showFor(radio.value); });
      if (radio.checked) showFor(radio.value);
    });
    if (!document.querySelector("input[name=kind]:checked")) select.innerHTML = "";
  }

  // --- the live queue: no redraw while someone types in it (an acknowledgement half filled) ---
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var items = event.detail.elt;
    if (items.id === "queue-items" && document.activeElement && items.contains(document.activeElement)) {
      event.preventDefault();
    }
  });

  // --- the dispatcher's alerts: a sound and a browser notification for each new summons ---
  var queue = document.getElementById("queue-items");
  var seen = {};
  var alerts = localStorage.getItem("alerts") === "on";
  var audio = null;
  function pendingIds() {
    var list = {};
    document.querySelectorAll("#queue-items [data-pending='1']").forEach(function (li) {
      list[li.dataset.checkIn] = li.dataset.title;
    });
    return list;
  }
  function beep() {
    if (!audio) return;
    var osc = audio.createOscillator(), gain = audio.createGain();
    osc.frequency.value = 880; osc.connect(gain); gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.3, audio.currentTime);
    osc.start(); osc.stop(audio.currentTime + 0.6);
  }
  function alertNew() {
    if (!document.getElementById("queue-items")) return;
    var now = pendingIds();
    Object.keys(now).forEach(function (id) {
      if (seen[id]) return;
      seen[id] = true;
      if (!alerts) return;
      beep();
      if (window.Notification && Notification.permission === "granted") {
        new Notification(T.newSummons, { body: now[id], tag: "summons-" + id });
      }
      document.title = "● " + document.title.replace(/^● /, "");
    });
  }
  if (queue) {
    seen = pendingIds(); // what is on the page at load is not news
    Object.keys(seen).forEach(function (id) { seen[id] = true; });
    var button = document.querySelector("[data-enable-alerts]");
    var status = document.querySelector("[data-alerts-status]");
    var show = function () { if (status) status.textContent = alerts ? T.alertsOn : T.alertsOff; };
    show();
    button.addEventListener("click", function () {
      // a click lets the page play sound and ask for notifications
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      alerts = true;
      localStorage.setItem("alerts", "on");
      if (window.Notification && Notification.permission === "default") Notification.requestPermission();
      beep();
      show();
    });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) document.title = document.title.replace(/^● /, "");
    });
  }
})();

// small page helpers without inline script (the CSP allows none): a select that submits its
// form when changed (the community list follows the street chosen), a button that prints
(function () {
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
