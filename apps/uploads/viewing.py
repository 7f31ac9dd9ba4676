"""What a page needs to show an uploaded part: the 3D preview's address or the DXF drawing with its markers, the
numbered findings, the measured features. Built once here for the customer's part page and the supplier's job page.

The preview file is fetched through the private media view (apps.core.media, whose "uploads" check decides who may
read it); a drawing is shown through the page's own drawing view, which the caller names, because the media view
serves anything but photos as a download.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse

from apps.uploads.analysis.result import Analysis, PartKind
from apps.uploads.display import (
    DrawingMark,
    FeatureRow,
    NumberedFinding,
    ViewBox,
    drawing_marks,
    feature_rows,
    numbered_findings,
    size_text,
    svg_number,
    svg_viewbox,
    viewer_markers,
)
from apps.uploads.models import PartUpload
from apps.uploads.selectors import upload_file_urls
from apps.uploads.status import UploadStatus

SVG_HEAD_BYTES = 4096  # the root element and its viewBox come first
# The drawing is the analyser's SVG of a customer's DXF, served by the pages' drawing views: shown as an image, it
# may run nothing and load nothing.
DRAWING_CSP = "default-src 'none'; style-src 'unsafe-inline'"


@dataclass
class PartView:
    upload: PartUpload
    analysis: Analysis | None
    findings: list[NumberedFinding] = field(default_factory=list)
    features: list[FeatureRow] = field(default_factory=list)
    size_text: str = ""
    model_url: str = ""  # GLB of a mesh or solid
    drawing_url: str = ""  # SVG of a profile
    drawing_viewbox: ViewBox | None = None
    drawing_marks: list[DrawingMark] = field(default_factory=list)
    markers: list[dict] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return self.upload.status == UploadStatus.READY and self.analysis is not None

    @property
    def markers_id(self) -> str:
        """The id of the page element holding the markers as JSON (the viewer reads them from there)."""
        return f"part-markers-{self.upload.pk}"

    @property
    def drawing_label_size(self) -> float:
        """Marker labels on the drawing, in its viewBox units (4 % of its larger side)."""
        box = self.drawing_viewbox
        return 0.04 * max(box.width, box.height) if box else 0.0

    @property
    def drawing_label_halo(self) -> float:
        return self.drawing_label_size * 0.2

    @property
    def drawing_label_attrs(self) -> dict[str, str]:
        return {"size": svg_number(self.drawing_label_size), "halo": svg_number(self.drawing_label_halo)}

    @property
    def description(self) -> str:
        """The text alternative of the view: what it shows, in words."""
        if self.analysis is None:
            return ""
        what = "Drawing" if self.analysis.kind == PartKind.PROFILE else "3D view"
        count = len(self.findings)
        marked = f", {count} finding{'s' if count != 1 else ''} marked" if count else ""
        return f"{what} of {self.upload.name}: {self.size_text}{marked}."


def part_analysis(upload: PartUpload) -> Analysis | None:
    if upload.status != UploadStatus.READY or not upload.analysis:
        return None
    return Analysis.from_json(upload.analysis)


def part_view(upload: PartUpload, *, drawing_url: str = "") -> PartView:
    """The part as the page shows it. `drawing_url` is the caller's view of the DXF drawing (a profile's preview)."""
    analysis = part_analysis(upload)
    view = PartView(upload=upload, analysis=analysis)
    if analysis is None:
        return view
    view.findings = numbered_findings(analysis)
    view.features = feature_rows(analysis)
    view.size_text = size_text(analysis.features.size_mm)
    view.markers = viewer_markers(view.findings)
    if not upload.preview_name:
        return view
    if analysis.kind == PartKind.PROFILE:
        viewbox = _stored_svg_viewbox(upload.preview_name)
        if viewbox is not None and drawing_url:
            view.drawing_url = drawing_url
            view.drawing_viewbox = viewbox
            view.drawing_marks = drawing_marks(analysis, view.findings, viewbox)
    else:
        view.model_url = upload_file_urls(upload)["preview_url"]
    return view


def _stored_svg_viewbox(name: str) -> ViewBox | None:
    try:
        with default_storage.open(name, "rb") as handle:
            return svg_viewbox(handle.read(SVG_HEAD_BYTES))
    except OSError:
        return None


def part_drawing_response(upload: PartUpload | None) -> HttpResponse:
    """The stored SVG drawing of a profile as an image that may run and load nothing, for the pages' drawing views
    (which check access first); Http404 when there is none."""
    analysis = part_analysis(upload) if upload is not None else None
    if analysis is None or analysis.kind != PartKind.PROFILE or not upload.preview_name:
        raise Http404("No drawing.")
    try:
        with default_storage.open(upload.preview_name, "rb") as handle:
            svg = handle.read()
    except OSError:
        raise Http404("No drawing.") from None
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Content-Security-Policy"] = DRAWING_CSP
    response["Cache-Control"] = "private, no-store"
    return response
