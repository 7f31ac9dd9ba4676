from django.urls import path

from apps.backoffice.views import dashboard, exports, finance, matching, setup, template_reviews

app_name = "backoffice"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("start/", setup.start, name="start"),
    path("setup/", setup.setup, name="setup"),
    path("setup/brand/", setup.brand, name="brand"),
    path("matching/", matching.run_list_view, name="matching_runs"),
    path("matching/runs/<int:run_id>/", matching.run_detail_view, name="matching_run"),
    path(
        "matching/orders/<int:order_id>/replan/",
        matching.order_replan_view,
        name="matching_order_replan",
    ),
    path("reviews/", template_reviews.review_list, name="template_review_list"),
    path("reviews/<int:template_id>/", template_reviews.review_detail, name="template_review"),
    path(
        "reviews/<int:template_id>/drawing.svg",
        template_reviews.review_drawing,
        name="template_review_drawing",
    ),
    path("finance/", finance.finance_home, name="finance_home"),
    path("finance/reconcile/", finance.reconcile_now, name="finance_reconcile"),
    path("finance/reconciliation/<int:run_id>/", finance.run_detail, name="finance_run"),
    path("finance/orders/<int:order_id>/", finance.order_money, name="finance_order"),
    path("finance/statements/", finance.statements, name="finance_statements"),
    path(
        "finance/transfers/<uuid:transfer_id>/retry/",
        finance.transfer_retry,
        name="finance_transfer_retry",
    ),
    path("exports/", exports.export_list, name="exports"),
    path("exports/<uuid:export_id>/download/", exports.export_download, name="export_download"),
    path(
        "finance/reversals/<uuid:reversal_id>/write-off/",
        finance.reversal_write_off_view,
        name="finance_reversal_write_off",
    ),
    path("finance/export/ledger.csv", finance.export_ledger, name="finance_export_ledger"),
    path("finance/export/statements.csv", finance.export_statements, name="finance_export_statements"),
]
