from django.urls import path

from ambassade.replies import views

app_name = "replies"

W = "w/<slug:workspace_slug>/inbox/"
C = W + "<int:conversation_id>/"
R = W + "replies/<int:reply_id>/"

urlpatterns = [
    path(C + "reply/", views.reply_send, name="send"),
    path(C + "reply/check/", views.reply_check, name="check"),
    path(C + "notes/", views.note_add, name="note"),
    path(R + "approve/", views.reply_approve, name="approve"),
    path(R + "reject/", views.reply_reject, name="reject"),
    path(R + "withdraw/", views.reply_withdraw, name="withdraw"),
    path(R + "retry/", views.reply_retry, name="retry"),
    path(W + "saved-replies/", views.saved_list, name="saved_list"),
    path(W + "saved-replies/settings/", views.reply_settings, name="settings"),
    path(W + "saved-replies/new/", views.saved_edit, name="saved_create"),
    path(W + "saved-replies/<int:saved_reply_id>/", views.saved_edit, name="saved_edit"),
    path(W + "saved-replies/<int:saved_reply_id>/delete/", views.saved_delete, name="saved_delete"),
]
