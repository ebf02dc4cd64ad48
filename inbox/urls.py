from django.urls import path

from inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.home, name="home"),
    path("rows/", views.rows, name="rows"),
    path("c/<int:conversation_id>/", views.conversation, name="conversation"),
    path("c/<int:conversation_id>/reply/", views.reply, name="reply"),
    path("c/<int:conversation_id>/resolve/", views.resolve, name="resolve"),
    path("c/<int:conversation_id>/reopen/", views.reopen, name="reopen"),
    path("c/<int:conversation_id>/snooze/", views.snooze, name="snooze"),
    path("c/<int:conversation_id>/priority/", views.priority, name="priority"),
    path("c/<int:conversation_id>/labels/", views.labels, name="labels"),
    path("c/<int:conversation_id>/m/<int:message_id>/retry/", views.retry_delivery, name="retry-delivery"),
]
