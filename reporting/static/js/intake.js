// Progressive enhancement of the reporting form: the ALTCHA proof of work. The form works without it
// (under a stricter rate limit); if the check fails, the widget is removed so sending still works.
import "/static/vendor/altcha/altcha.min.js";

const slot = document.querySelector("[data-altcha-challenge]");
const altchaGlobal = globalThis.$altcha;
if (slot && altchaGlobal) {
  const language = document.documentElement.lang || "de";
  altchaGlobal.algorithms.set("PBKDF2/SHA-256", () => new Worker("/static/vendor/altcha/workers/pbkdf2.js"));
  altchaGlobal.i18n.set(language, JSON.parse(slot.dataset.altchaStrings));
  const widget = document.createElement("altcha-widget");
  widget.setAttribute("challenge", slot.dataset.altchaChallenge);
  widget.setAttribute("auto", "onsubmit");
  widget.setAttribute("language", language);
  widget.setAttribute("name", "altcha");
  // No attribution link to another site, and no collection of pointer or scroll movements.
  widget.setAttribute("configuration", JSON.stringify({ hideFooter: true, hideLogo: true, humanInteractionSignature: false }));
  widget.addEventListener("statechange", (event) => {
    if (event.detail && event.detail.state === "error") {
      widget.remove();
    }
  });
  slot.appendChild(widget);
}
