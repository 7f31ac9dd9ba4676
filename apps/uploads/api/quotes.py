"""Options and design of an uploaded part (the quote itself is POST /api/v1/uploads/<id>/quote/, in
apps/storefront/api/part_quotes.py: it needs the matching engine, a layer above uploads).

- GET  /api/v1/uploads/<id>/options/: what the network offers for this kind of part right now, and defaults;
- POST /api/v1/uploads/<id>/design/ {"options": {…}}: saves the part with these options as a new version of
  its design (201), which the cart takes like any design version.

Only the uploader: another customer's upload is a 404 like a missing one. Options the network does not offer are
a 400 keyed by option under "options"; a part that cannot be made (the analysis's or the network's errors) a 409
with the findings, each saying where and what to change; a part still being analysed a 409.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.uploads.access import upload_get_for_owner
from apps.uploads.designs import part_analysis_ready, part_design_save
from apps.uploads.offer import network_offer
from apps.uploads.options import part_choices, part_options_default

NOT_YOURS = OpenApiResponse(description="No such upload among mine.")
UNMAKEABLE = OpenApiResponse(
    description=(
        'Not ready ({"code": "part_not_ready", "status"}) or cannot be made as it is or with these options: '
        '{"detail", "code": "unmakeable", "findings": [{"code", "severity", "message", "fix", "where": '
        '[{"x", "y", "z", "radius_mm", "ref"}]}]}.'
    )
)


class PartDesignRequestSerializer(serializers.Serializer):
    options = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text='The chosen options, e.g. {"process": "fdm_printing", "material": "pla", "colour": "black", '
        '"infill_percent": 20, "finish": "as_printed"}; GET …/options/ lists them.',
    )


class PartOptionsApi(APIView):
    @extend_schema(
        summary="The options the network offers for an uploaded part",
        responses={
            200: inline_serializer(
                "PartChoices",
                {
                    "kind": serializers.CharField(help_text="mesh, profile or solid."),
                    "choices": serializers.JSONField(
                        help_text="Processes, each with its materials and their colours, infills, finishes, "
                        "thicknesses (with bending and powder coating), tolerance classes."
                    ),
                    "defaults": serializers.JSONField(
                        allow_null=True, help_text="None: nothing is offered yet."
                    ),
                },
            ),
            404: NOT_YOURS,
            409: UNMAKEABLE,
        },
    )
    def get(self, request, upload_id):
        upload = upload_get_for_owner(user=request.user, upload_id=upload_id)
        analysis = part_analysis_ready(upload)
        offer = network_offer()
        return Response(
            {
                "kind": analysis.kind.value,
                "choices": part_choices(analysis.kind, offer),
                "defaults": part_options_default(analysis.kind, offer, analysis.features),
            }
        )


class PartDesignSaveApi(APIView):
    @extend_schema(
        summary="Save an uploaded part with its options as a design version (for the cart)",
        request=PartDesignRequestSerializer,
        responses={
            201: inline_serializer(
                "PartDesignVersion",
                {
                    "design": serializers.IntegerField(),
                    "design_version": serializers.UUIDField(help_text="What the cart takes."),
                    "number": serializers.IntegerField(),
                    "values": serializers.JSONField(),
                    "operations": serializers.JSONField(),
                },
            ),
            400: OpenApiResponse(
                description='{"options": {"material": ["FDM 3D printing works: PLA, PETG."]}}'
            ),
            404: NOT_YOURS,
            409: UNMAKEABLE,
        },
    )
    def post(self, request, upload_id):
        serializer = PartDesignRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = upload_get_for_owner(user=request.user, upload_id=upload_id)
        version = part_design_save(
            actor=request.user, upload=upload, options=serializer.validated_data["options"]
        )
        return Response(
            {
                "design": version.design_id,
                "design_version": version.pk,
                "number": version.number,
                "values": version.values,
                "operations": version.operations,
            },
            status=status.HTTP_201_CREATED,
        )
