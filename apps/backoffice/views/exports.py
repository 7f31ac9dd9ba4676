"""The owner's data export: ask for a file with all of the network's data, watch it being prepared, download it."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.access import network_owner_required
from apps.backoffice.exports import network_export_open, network_export_request
from apps.backoffice.models import ExportStatus, NetworkExport

SHOWN = 20


@require_http_methods(["GET", "POST"])
@network_owner_required
def export_list(request):
    if request.method == "POST":
        network_export_request(actor=request.user)
        return redirect("backoffice:exports")
    exports = list(NetworkExport.objects.select_related("requested_by")[:SHOWN])
    preparing = any(export.status == ExportStatus.PREPARING for export in exports)
    template = "backoffice/exports.html#exports" if request.htmx else "backoffice/exports.html"
    return render(request, template, {"exports": exports, "preparing": preparing})


@require_GET
@network_owner_required
def export_download(request, export_id):
    try:
        export, handle = network_export_open(actor=request.user, export_id=export_id)
    except NetworkExport.DoesNotExist:
        raise Http404("No such export.") from None
    name = f"{request.tenant.slug}-data-{export.created_at:%Y-%m-%d}.zip"
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/zip")
