// The booth's feature test, a classic script so that it runs even where modules do not: the
// booth needs BigInt, Web Crypto (crypto.subtle), Workers and ES modules. Where one is missing,
// the page shows its "browser too old" message (with the assistance contact) and the booth stays
// hidden; where all are there, booth.js (a module) takes over.
(function () {
  var supported =
    typeof BigInt === "function" &&
    typeof window.crypto === "object" &&
    typeof window.crypto.subtle === "object" &&
    typeof window.crypto.getRandomValues === "function" &&
    typeof Worker === "function" &&
    typeof TextEncoder === "function" &&
    "noModule" in HTMLScriptElement.prototype;
  if (supported) {
    document.documentElement.setAttribute("data-booth-supported", "");
  } else {
    var notice = document.getElementById("booth-unsupported");
    if (notice) notice.hidden = false;
  }
})();
