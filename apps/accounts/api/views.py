"""The signed-in user's personal access tokens over the API (session or token authentication)."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.response import Response

from apps.accounts.api.serializers import (
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    IssuedApiTokenSerializer,
)
from apps.accounts.models import ApiToken
from apps.accounts.tokens import token_create, token_get_for_user, token_list_for_user, token_revoke


class _OwnTokens:
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return token_list_for_user(user=self.request.user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


class ApiTokenListView(_OwnTokens, generics.ListAPIView):
    """GET: your tokens (revoked and expired included). POST: a new token; its secret is in this answer only."""

    @extend_schema(
        request=ApiTokenCreateSerializer,
        responses={
            201: IssuedApiTokenSerializer,
            400: OpenApiResponse(description="Field errors, by field."),
        },
    )
    def post(self, request):
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued_with = request.auth if isinstance(request.auth, ApiToken) else None
        issued = token_create(user=request.user, issued_with=issued_with, **data.validated_data)
        issued.token.token = issued.secret
        body = IssuedApiTokenSerializer(issued.token, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


NOT_YOURS = OpenApiResponse(description="You have no token with this id.")


@extend_schema_view(
    get=extend_schema(responses={200: ApiTokenSerializer, 404: NOT_YOURS}),
    delete=extend_schema(responses={204: None, 404: NOT_YOURS}),
)
class ApiTokenDetailView(_OwnTokens, generics.RetrieveDestroyAPIView):
    """GET: one of your tokens. DELETE: revoke it (it stops working at once; the row stays for your records)."""

    def get_object(self):
        return token_get_for_user(user=self.request.user, token_id=self.kwargs["pk"])

    def destroy(self, request, *args, **kwargs):
        token_revoke(user=request.user, token_id=self.kwargs["pk"])
        return Response(status=status.HTTP_204_NO_CONTENT)
