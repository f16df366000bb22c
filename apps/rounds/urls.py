from django.urls import path

from apps.rounds import views

app_name = "rounds"
urlpatterns = [
    path("<int:event_id>/console/", views.console_page, name="console"),
    path("<int:event_id>/report/", views.report_page, name="report"),
    path("<int:event_id>/report.csv", views.report_csv, name="report-csv"),
]
