from django.urls import path

from ambassade.referrals import views

app_name = "referrals"

W = "w/<slug:workspace_slug>/referrals/"

urlpatterns = [
    path(W, views.home, name="home"),
    path(W + "settings/", views.programme_settings, name="settings"),
    path(W + "settings/secret/", views.secret, name="secret"),
    path(W + "rewards/", views.rewards, name="rewards"),
    path(W + "rewards/decide/", views.rewards_decide, name="rewards_decide"),
    path(W + "leaderboard/", views.leaderboard, name="leaderboard"),
    path(W + "<int:referral_id>/decide/", views.referral_decide, name="decide"),
    path(W + "members/<int:member_id>/code/", views.member_code, name="member_code"),
    path(W + "codes/<int:code_id>/deactivate/", views.code_deactivate, name="code_deactivate"),
    # Public: the brand's site posts sign-ups and conversions here, signed with the secret.
    path("hooks/referrals/<str:hook_id>/", views.hook, name="hook"),
]
