// The receipt page's print button: shown only where a script can print (the page works without it).
const button = document.querySelector(".print-button");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
