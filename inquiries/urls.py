from django.urls import path

from inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("", views.contact, name="contact"),
    path("thanks/", views.thanks, name="thanks"),
]
