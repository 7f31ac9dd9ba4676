from django.urls import path

from apps.backoffice import views, views_finance, views_matching

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("matching/", views_matching.run_list_view, name="matching_runs"),
    path("matching/runs/<int:run_id>/", views_matching.run_detail_view, name="matching_run"),
    path(
        "matching/orders/<int:order_id>/replan/",
        views_matching.order_replan_view,
        name="matching_order_replan",
    ),
    path("finance/", views_finance.finance_home, name="finance_home"),
    path("finance/reconcile/", views_finance.reconcile_now, name="finance_reconcile"),
    path("finance/reconciliation/<int:run_id>/", views_finance.run_detail, name="finance_run"),
    path("finance/orders/<int:order_id>/", views_finance.order_money, name="finance_order"),
    path("finance/statements/", views_finance.statements, name="finance_statements"),
    path(
        "finance/transfers/<uuid:transfer_id>/retry/",
        views_finance.transfer_retry,
        name="finance_transfer_retry",
    ),
    path("finance/export/ledger.csv", views_finance.export_ledger, name="finance_export_ledger"),
    path("finance/export/statements.csv", views_finance.export_statements, name="finance_export_statements"),
]
