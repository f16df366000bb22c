from django.urls import path

from apps.policies import views

app_name = "policies"

urlpatterns = [
    path("accept/", views.accept, name="accept"),
    path("<slug:kind>/", views.document, name="document"),
    path("<slug:kind>/v<int:version>/", views.document, name="document-version"),
]
