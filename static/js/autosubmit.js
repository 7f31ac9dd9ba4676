// Submits a form when one of its controls marked `data-autosubmit` changes (a filter select, say).
// Kept in a static file: the Content-Security-Policy allows no inline event handlers.
document.addEventListener("change", function (event) {
  var control = event.target.closest("[data-autosubmit]");
  if (control && control.form) {
    control.form.requestSubmit ? control.form.requestSubmit() : control.form.submit();
  }
});
