"""Customers' reviews over the API: write one for a line of your own delivered order; read a product's.

POST /api/v1/reviews/ — 201 with the review; 404 for a line that is not yours; 409 when the order has not been
delivered or the line has its review already; 400 with field errors for a rating outside 1–5.
GET /api/v1/catalog/templates/<slug>/reviews/ — anyone: the product's average rating, count and newest reviews.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.catalog.selectors import template_get_active
from apps.designers.models import REVIEW_TEXT_MAX, ProductReview
from apps.designers.reviews import product_review_create, rating_of_template, reviews_of_template

REVIEWS_LISTED = 50


class ReviewCreateSerializer(serializers.Serializer):
    order_line = serializers.IntegerField(help_text="The id of a line of your own delivered order.")
    rating = serializers.IntegerField(min_value=1, max_value=5)
    text = serializers.CharField(max_length=REVIEW_TEXT_MAX, required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.ModelSerializer):
    product = serializers.CharField(source="template.slug", read_only=True)
    designer = serializers.CharField(source="designer.slug", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ProductReview
        fields = ["id", "order_line", "product", "designer", "rating", "text", "created_at"]
        read_only_fields = fields


class ProductReviewsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    average = serializers.FloatField(
        allow_null=True, help_text="Average rating, one decimal; null without reviews."
    )
    reviews = ReviewSerializer(many=True)


class ReviewCreateApi(APIView):
    @extend_schema(
        summary="Rate and review a line of your delivered order (once)",
        request=ReviewCreateSerializer,
        responses={
            201: ReviewSerializer,
            400: OpenApiResponse(description="Field errors, e.g. a rating outside 1–5."),
            404: OpenApiResponse(description="No such order line among yours."),
            409: OpenApiResponse(description="Not delivered yet, or reviewed already; nothing written."),
        },
    )
    def post(self, request):
        data = ReviewCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = product_review_create(
            actor=request.user,
            line_id=data.validated_data["order_line"],
            rating=data.validated_data["rating"],
            text=data.validated_data["text"],
        )
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ProductReviewsApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A product's rating and reviews",
        responses={200: ProductReviewsSerializer, 404: OpenApiResponse(description="No such product.")},
    )
    def get(self, request, slug: str):
        template = template_get_active(slug=slug)
        summary = rating_of_template(template=template)
        reviews = reviews_of_template(template=template).select_related("template", "designer")[
            :REVIEWS_LISTED
        ]
        payload = {"count": summary.count, "average": summary.average, "reviews": reviews}
        return Response(ProductReviewsSerializer(payload).data)
