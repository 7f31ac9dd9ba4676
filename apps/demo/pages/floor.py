"""The framework floor of `bench_pages`: a bare django-tenants + DRF list of 50 rows, behind the whole middleware
stack and nothing of ours. Routed only when settings.BENCH_FLOOR_PAGE is on (the benchmark's own gunicorn)."""

from django.contrib.auth.models import Permission
from django.urls import path
from rest_framework import generics, permissions, serializers

FLOOR_PATH = "/_bench/floor/"
FLOOR_ROWS = 50


class PermissionRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Permission
        fields = ("id", "name", "codename")


class FloorList(generics.ListAPIView):
    """Every network's schema has well over 50 permission rows: the query and rendering are the same everywhere."""

    serializer_class = PermissionRowSerializer
    permission_classes = (permissions.AllowAny,)
    authentication_classes = ()
    pagination_class = None

    def get_queryset(self):
        return Permission.objects.order_by("pk")[:FLOOR_ROWS]


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", FloorList.as_view(), name="bench-floor")]
