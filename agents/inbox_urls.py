from django.urls import path

from agents import inbox_views

app_name = "handling"
urlpatterns = [
    path("c/<int:conversation_id>/assign/", inbox_views.assign, name="assign"),
    path("c/<int:conversation_id>/escalate/", inbox_views.escalate, name="escalate"),
    path("bulk/", inbox_views.bulk, name="bulk"),
]
