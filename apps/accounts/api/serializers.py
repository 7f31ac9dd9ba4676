"""Shapes of the account API (personal access tokens). Field checks only; token_create has the rules."""

from rest_framework import serializers

from apps.accounts.models import ApiToken
from apps.accounts.tokens import MAX_EXPIRY_DAYS


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its secret (which is not stored)."""

    active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "active"]
        read_only_fields = fields

    def get_active(self, token: ApiToken) -> bool:
        return token.is_active_at(self.context["now"])


class ApiTokenCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, help_text="What will use it, e.g. 'MES line 2'.")
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        allow_null=True,
        required=False,
        default=None,
        help_text="Null: never expires. A token created with a token never outlives that token.",
    )


class IssuedApiTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The token to send as 'Authorization: Token <token>'. Shown only this once."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields
