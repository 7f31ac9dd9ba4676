"""A customer rates and reviews a line of their delivered order (linked from the order's page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.errors import form_add_service_error
from apps.designers.forms import ReviewForm
from apps.designers.reviews import ReviewRefused, product_review_create, reviewable_line_get


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request, line_id: int):
    line = reviewable_line_get(user=request.user, line_id=line_id)
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            product_review_create(actor=request.user, line_id=line.pk, **form.cleaned_data)
        except ReviewRefused as refused:
            messages.error(request, str(refused))
            status = 409
        except ValidationError as error:
            form_add_service_error(form, error)
        else:
            messages.success(request, "Thank you for your review.")
            return redirect("storefront:order_detail", order_id=line.order_id)
    if form.errors:
        status = 400
    context = {"line": line, "template": line.design_version.design.template, "form": form}
    return render(request, "designers/review_form.html", context, status=status)
