from django.urls import path

from ambassade.events import views

app_name = "events"

W = "w/<slug:workspace_slug>/events/"
P = "events/<str:event_token>/"

urlpatterns = [
    path(W, views.events, name="events"),
    path(W + "new/", views.event_new, name="event_new"),
    path(W + "<int:event_id>/", views.event_detail, name="event"),
    path(W + "<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path(W + "<int:event_id>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path(W + "<int:event_id>/followup/", views.event_followup, name="event_followup"),
    path(W + "<int:event_id>/invite/", views.event_invite, name="event_invite"),
    path(W + "<int:event_id>/emails/", views.event_emails, name="emails"),
    path(W + "<int:event_id>/emails.csv", views.event_emails_csv, name="emails_csv"),
    path(W + "<int:event_id>/check-in/", views.check_in_page, name="check_in"),
    path(W + "<int:event_id>/rsvps/<int:rsvp_id>/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path(W + "<int:event_id>/rsvps/<int:rsvp_id>/undo/", views.rsvp_undo, name="rsvp_undo"),
    # Public: anyone with the event's address; a ticket with the person's private link.
    path("events/ticket/<str:rsvp_token>/", views.ticket, name="ticket"),
    path("events/ticket/<str:rsvp_token>/event.ics", views.ticket_ics, name="ticket_ics"),
    path("events/consent/<str:withdraw_token>/", views.withdraw, name="withdraw"),
    path("events/mail/<str:email_token>/open.gif", views.open_pixel, name="open"),
    path(P, views.public_event, name="public"),
    path(P + "event.ics", views.public_ics, name="ics"),
]
