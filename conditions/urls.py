from django.urls import path

from conditions import views

app_name = "conditions"

urlpatterns = [
    path("", views.ConditionListView.as_view(), name="condition_list"),
    path("<slug:slug>/", views.ConditionDetailView.as_view(), name="condition_detail"),
]
