// Mounts the Stripe Payment Element on the pay page (real Stripe keys only). The keys come from data
// attributes of the form, so the page needs no inline script; the view allows js.stripe.com for this page alone.
(function () {
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  var stripe = Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  var button = document.getElementById("pay-button");
  var message = document.getElementById("payment-message");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    button.disabled = true;
    var result = await stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.dataset.returnUrl } });
    if (result.error) {
      message.textContent = result.error.message;
      button.disabled = false;
    }
  });
})();
