"""The designer's templates API (/api/v1/designer/templates/…): the designer's own products, every version;
create a draft, replace a draft's definition, discard it; submit it for review; make a new version; retire.

Only drafts (and versions with changes requested) change: a published version answers 409. Another designer's
template is a 404, exactly like a missing one, and so is every endpoint for a user who is no approved designer's
member. Bad definitions answer 400 with each problem under where it is (`parameters[0].max`, `steps[1].process`).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.api.version_serializers import (
    DefinitionSerializer,
    SubmitSerializer,
    TemplateVersionDetailSerializer,
    TemplateVersionSerializer,
)
from apps.catalog.drafts import template_draft_create, template_draft_discard, template_draft_update
from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import (
    template_get_for_designer,
    template_list_for_designer,
    template_versions_of_family,
)
from apps.catalog.versions import template_retire, template_submit, template_version_create
from apps.designers.views.studio.access import studio_designer_of

BAD_INPUT = OpenApiResponse(description='Field errors by place, e.g. {"parameters[0].max": ["…"]}.')
FROZEN = OpenApiResponse(
    description='The version\'s status does not allow this: {"detail": "…"}; nothing changed.'
)


class DesignerScoped:
    """`self.designer`: the approved designer the caller is a member of (404 for everyone else)."""

    permission_classes = [IsAuthenticated]

    @property
    def designer(self):
        if not hasattr(self, "_designer"):
            self._designer = studio_designer_of(self.request.user)
            if self._designer is None:
                raise NotFound()
        return self._designer

    def template(self, template_id) -> ProductTemplate:
        return template_get_for_designer(designer=self.designer, template_id=template_id)


def _detail(template: ProductTemplate) -> dict:
    return TemplateVersionDetailSerializer(template).data


@extend_schema_view(
    get=extend_schema(summary="My templates, every version"),
    post=extend_schema(
        summary="Start a new product (a version-1 draft)",
        request=DefinitionSerializer,
        responses={201: TemplateVersionDetailSerializer, 400: BAD_INPUT},
    ),
)
class DesignerTemplateListApi(DesignerScoped, generics.ListAPIView):
    serializer_class = TemplateVersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProductTemplate.objects.none()
        return template_list_for_designer(designer=self.designer).select_related("designer")

    def post(self, request):
        serializer = DefinitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = template_draft_create(
            actor=request.user, designer=self.designer, definition=serializer.validated_data["definition"]
        )
        return Response(_detail(self.template(template.pk)), status=status.HTTP_201_CREATED)


class DesignerTemplateDetailApi(DesignerScoped, APIView):
    @extend_schema(
        summary="One of my template versions, with its definition and checks",
        responses=TemplateVersionDetailSerializer,
    )
    def get(self, request, template_id: int):
        return Response(_detail(self.template(template_id)))

    @extend_schema(
        summary="Replace a draft's definition",
        request=DefinitionSerializer,
        responses={200: TemplateVersionDetailSerializer, 400: BAD_INPUT, 409: FROZEN},
    )
    def put(self, request, template_id: int):
        template = self.template(template_id)
        serializer = DefinitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template_draft_update(
            actor=request.user,
            designer=self.designer,
            template=template,
            definition=serializer.validated_data["definition"],
        )
        return Response(_detail(self.template(template_id)))

    @extend_schema(summary="Discard a draft", responses={204: None, 409: FROZEN})
    def delete(self, request, template_id: int):
        template_draft_discard(
            actor=request.user, designer=self.designer, template=self.template(template_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class DesignerTemplateSubmitApi(DesignerScoped, APIView):
    @extend_schema(
        summary="Submit a draft for review",
        request=SubmitSerializer,
        responses={
            200: TemplateVersionDetailSerializer,
            400: OpenApiResponse(description="The template's checks fail, each problem under where it is."),
            409: FROZEN,
        },
    )
    def post(self, request, template_id: int):
        template = self.template(template_id)
        serializer = SubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template_submit(
            actor=request.user,
            designer=self.designer,
            template=template,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(_detail(self.template(template_id)))


class DesignerTemplateVersionsApi(DesignerScoped, APIView):
    @extend_schema(
        summary="Every version of this template's product", responses=TemplateVersionSerializer(many=True)
    )
    def get(self, request, template_id: int):
        template = self.template(template_id)
        versions = template_versions_of_family(family=template.family).select_related("designer")
        return Response(TemplateVersionSerializer(versions, many=True).data)

    @extend_schema(
        summary="Make a new draft version of a published (or retired) product",
        request=None,
        responses={201: TemplateVersionDetailSerializer, 409: FROZEN},
    )
    def post(self, request, template_id: int):
        draft = template_version_create(
            actor=request.user, designer=self.designer, template=self.template(template_id)
        )
        return Response(_detail(self.template(draft.pk)), status=status.HTTP_201_CREATED)


class DesignerTemplateRetireApi(DesignerScoped, APIView):
    @extend_schema(
        summary="Retire a published product (orders already placed keep it)",
        request=None,
        responses={200: TemplateVersionDetailSerializer, 409: FROZEN},
    )
    def post(self, request, template_id: int):
        template_retire(actor=request.user, designer=self.designer, template=self.template(template_id))
        return Response(_detail(self.template(template_id)))
