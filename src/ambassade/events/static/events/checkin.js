/* The check-in page's camera: where the browser reads QR codes itself (BarcodeDetector), the
   "Scan with the camera" button shows; a code read fills the ticket field and submits the form.
   Elsewhere the page says to type the code. No library, no inline script (the CSP allows none). */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("[data-checkin-form]");
    if (!form) return;
    var button = form.querySelector("[data-scan]");
    var scanner = document.querySelector("[data-scanner]");
    var video = document.querySelector("[data-video]");
    var noCamera = document.querySelector("[data-no-camera]");
    var input = form.querySelector("input[name=code]");
    var supported = "BarcodeDetector" in window && navigator.mediaDevices &&
      navigator.mediaDevices.getUserMedia;
    if (!supported) {
      if (noCamera) noCamera.hidden = false;
      if (input) input.focus();
      return;
    }
    button.hidden = false;
    var stream = null;
    var running = false;

    function stop() {
      running = false;
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      scanner.hidden = true;
    }

    function scan(detector) {
      if (!running) return;
      detector.detect(video).then(function (codes) {
        if (codes.length && codes[0].rawValue) {
          input.value = codes[0].rawValue;
          stop();
          form.submit();
          return;
        }
        window.setTimeout(function () { scan(detector); }, 250);
      }).catch(function () { window.setTimeout(function () { scan(detector); }, 500); });
    }

    button.addEventListener("click", function () {
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          scanner.hidden = false;
          running = true;
          return video.play();
        })
        .then(function () { scan(detector); })
        .catch(function () {
          stop();
          if (noCamera) noCamera.hidden = false;
        });
    });
    document.querySelector("[data-scan-stop]").addEventListener("click", stop);
    if (input) input.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
