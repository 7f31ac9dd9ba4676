"""bench_uploads' upload-to-price measure (settings.UPLOADS_BENCH_MEASURES): after an upload is analysed, its
default options are checked, compiled and quoted by the network (the quote with its lead-time options and the
part template's price breaks, as POST /api/v1/uploads/<id>/quote/ answers), and the time from the upload's
creation to that price is reported.

Each measure first bumps the network's plan version, so the quote is computed, not served from the quote cache
(every benchmark upload has the same content, hence the same operations).
"""

from __future__ import annotations

import time

from apps.catalog.part_templates import part_template_ensure
from apps.matching.plan_version import plan_version_bump
from apps.storefront.part_quoting import part_quote
from apps.tenants.models import Tenant
from apps.uploads.designs import part_analysis_ready, part_compile
from apps.uploads.models import PartUpload
from apps.uploads.offer import network_offer
from apps.uploads.options import part_options_default


def upload_to_price(kind: str, upload: PartUpload, tenant: Tenant, started: float) -> dict[str, float]:
    """{"price_s": the options-to-price time, "upload_to_price_s": from `started` (time.perf_counter() before the
    upload was received) to its price}. Call inside the network's schema, on a ready upload."""
    plan_version_bump()
    asked = time.perf_counter()
    analysis = part_analysis_ready(upload)
    offer = network_offer()
    options = part_options_default(analysis.kind, offer, analysis.features)
    if options is None:
        raise LookupError(f"{kind}: the network offers nothing for a {analysis.kind} part (seed its rates).")
    compiled = part_compile(upload=upload, options=options, offer=offer)
    quote, breaks = part_quote(
        template=part_template_ensure(kind=compiled.kind, currency=tenant.currency),
        operations=compiled.operations,
        values=compiled.options,
        tenant=tenant,
        parameters={"upload": str(upload.pk)},
    )
    if not quote.feasible or not breaks:
        raise LookupError(f"{kind}: not priced by the network ({quote.source}: {quote.notice})")
    return {
        "price_s": round(time.perf_counter() - asked, 4),
        "upload_to_price_s": round(time.perf_counter() - started, 4),
    }
