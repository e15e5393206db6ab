// The feature test of the member's in-browser tools, a classic script so that it runs even where
// modules do not: they need BigInt, Web Crypto (crypto.subtle), Workers and ES modules. Where one
// is missing, #trustee-unsupported is shown and the tools stay hidden; where all are there, the
// page's module (decrypt-page.js) shows them.
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
    document.documentElement.setAttribute("data-trustee-supported", "");
  } else {
    var notice = document.getElementById("trustee-unsupported");
    if (notice) notice.hidden = false;
  }
})();
