"""Uploads API: a signed-in customer uploads CAD files, reads their analysis, changes units, asks for repairs.

Bad input answers 400 with errors by field ({"file": ["…"]}, {"units": ["…"]}); another customer's upload is a
404 like a missing one; the network's staff may read any upload (403 when they try to change one; only customers
upload). The analysis runs on a worker: a new upload (or new units, or a repair) answers with status "pending",
and the detail shows "ready" with the analysis, or "failed" with the error, when it is done.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.uploads.access import upload_get_for_owner, upload_get_for_reader
from apps.uploads.api.serializers import (
    UnitsSerializer,
    UploadCreateSerializer,
    UploadDetailSerializer,
    UploadSerializer,
)
from apps.uploads.selectors import upload_list_for_owner
from apps.uploads.services import upload_create, upload_delete, upload_repair, upload_units_set
from apps.uploads.storage import too_large_error
from apps.uploads.throttles import AnalysisRateThrottle
from apps.uploads.upload_handlers import upload_size_limit_install

ERRORS = OpenApiResponse(description='Field errors, e.g. {"file": ["The file is larger than 100 MB; …"]}.')
FORBIDDEN = OpenApiResponse(description="Only customers upload, and only the uploader changes an upload.")
CONFLICT = OpenApiResponse(description="Not possible in the upload's state; `detail` says why.")
THROTTLED = OpenApiResponse(
    description="Too many analyses asked for in a short time (UPLOAD_THROTTLE_RATE); `Retry-After` says when "
    "to ask again."
)


def _detail(upload, *, code: int = status.HTTP_200_OK) -> Response:
    return Response(UploadDetailSerializer(upload).data, status=code)


class UploadListCreateApi(generics.ListAPIView):
    """My uploads; POST (multipart) uploads a file."""

    serializer_class = UploadSerializer
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [AnalysisRateThrottle]

    def get_queryset(self):
        return upload_list_for_owner(owner=self.request.user)

    def initialize_request(self, request, *args, **kwargs):
        # Before DRF (or anything) reads the body: a too-large file is dropped while it streams in.
        self.size_limit = upload_size_limit_install(request) if request.method == "POST" else None
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(summary="List my uploads")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a CAD file",
        request={"multipart/form-data": UploadCreateSerializer},
        responses={201: UploadDetailSerializer, 400: ERRORS, 403: FORBIDDEN, 429: THROTTLED},
    )
    def post(self, request):
        data = request.data  # parses the body through the size limit
        if self.size_limit is not None and self.size_limit.exceeded:
            raise too_large_error()
        serializer = UploadCreateSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        upload = upload_create(
            actor=request.user,
            uploaded_file=values["file"],
            units=values.get("units"),
            name=values.get("name", ""),
        )
        return _detail(upload, code=status.HTTP_201_CREATED)


class UploadDetailApi(APIView):
    """One upload: its status, analysis (features and findings), files; DELETE removes it."""

    @extend_schema(summary="Retrieve an upload with its analysis", responses={200: UploadDetailSerializer})
    def get(self, request, upload_id):
        return _detail(upload_get_for_reader(user=request.user, upload_id=upload_id))

    @extend_schema(summary="Delete an upload", responses={204: None, 409: CONFLICT})
    def delete(self, request, upload_id):
        upload = upload_get_for_owner(user=request.user, upload_id=upload_id)
        upload_delete(actor=request.user, upload=upload)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UploadUnitsApi(APIView):
    throttle_classes = [AnalysisRateThrottle]

    @extend_schema(
        summary="Set the file's units and analyse it again",
        request=UnitsSerializer,
        responses={202: UploadDetailSerializer, 400: ERRORS, 429: THROTTLED},
    )
    def post(self, request, upload_id):
        upload = upload_get_for_owner(user=request.user, upload_id=upload_id)
        serializer = UnitsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = upload_units_set(actor=request.user, upload=upload, units=serializer.validated_data["units"])
        return _detail(upload, code=status.HTTP_202_ACCEPTED)


class UploadRepairApi(APIView):
    throttle_classes = [AnalysisRateThrottle]

    @extend_schema(
        summary="Repair what the analysis found repairable (the original is kept) and analyse the copy",
        request=None,
        responses={202: UploadDetailSerializer, 409: CONFLICT, 429: THROTTLED},
    )
    def post(self, request, upload_id):
        upload = upload_get_for_owner(user=request.user, upload_id=upload_id)
        upload = upload_repair(actor=request.user, upload=upload)
        return _detail(upload, code=status.HTTP_202_ACCEPTED)
