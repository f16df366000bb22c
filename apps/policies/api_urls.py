from django.urls import path

from apps.policies import api

urlpatterns = [
    path("policies/", api.PolicyListApi.as_view(), name="api-policies"),
    path("policies/consent/", api.ConsentApi.as_view(), name="api-policies-consent"),
]
