from django.urls import path

from ambassade.suggestions import views

app_name = "suggestions"

urlpatterns = [
    path(
        "w/<slug:workspace_slug>/inbox/<int:conversation_id>/suggestions/",
        views.conversation_suggestions,
        name="conversation",
    ),
]
