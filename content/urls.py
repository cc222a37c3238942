from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("learn/", views.PageListView.as_view(), name="page_list"),
    path("learn/<slug:slug>/", views.PageDetailView.as_view(), name="page_detail"),
]
