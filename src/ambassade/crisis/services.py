"""Every write of the crisis app, in one namespace for views, tasks and other apps. The code lives in
one module per subject:

- :mod:`ambassade.crisis.alerting`: rules and channels, delivering alerts, digests, read marks;
- :mod:`ambassade.crisis.evaluation`: evaluating the rules (per mention, and the hourly spike feed);
- :mod:`ambassade.crisis.mode`: the crisis mode (playbook, open, work, close);
- :mod:`ambassade.crisis.report`: the post-mortem report.
"""

from __future__ import annotations

from ambassade.crisis.alerting import (
    delete_channel,
    delete_rule,
    deliver_alert,
    mark_read,
    notify_people,
    save_channel,
    save_rule,
    send_digest,
    send_test,
    set_alert_status,
    severity_reason,
    unread_count,
)
from ambassade.crisis.evaluation import (
    BACKFILL,
    LIVE,
    evaluate_mentions,
    feed_series,
    series_key,
    trigger,
)
from ambassade.crisis.mode import (
    HOLDING_STATEMENTS,
    MAX_SPAN,
    UndoneItems,
    alert_window_start,
    close_crisis,
    default_scope,
    delete_contact,
    delete_statement,
    ensure_defaults,
    log_action,
    log_statement,
    notify_crisis_opened,
    open_crisis,
    open_crisis_of,
    reschedule_held_post,
    resume_outbox,
    save_contact,
    save_playbook,
    save_statement,
    set_item_done,
    unschedule_held_post,
)
from ambassade.crisis.report import (
    build_report,
    crisis_figures,
    duration_text,
    queries_text,
    report_context,
    report_pdf,
    scope_text,
)
from ambassade.workspaces.services import ServiceError

__all__ = [
    "BACKFILL",
    "HOLDING_STATEMENTS",
    "LIVE",
    "MAX_SPAN",
    "ServiceError",
    "UndoneItems",
    "alert_window_start",
    "build_report",
    "close_crisis",
    "crisis_figures",
    "default_scope",
    "delete_channel",
    "delete_contact",
    "delete_rule",
    "delete_statement",
    "deliver_alert",
    "duration_text",
    "ensure_defaults",
    "evaluate_mentions",
    "feed_series",
    "log_action",
    "log_statement",
    "mark_read",
    "notify_crisis_opened",
    "notify_people",
    "open_crisis",
    "open_crisis_of",
    "queries_text",
    "report_context",
    "report_pdf",
    "reschedule_held_post",
    "resume_outbox",
    "save_channel",
    "save_contact",
    "save_playbook",
    "save_rule",
    "save_statement",
    "scope_text",
    "send_digest",
    "send_test",
    "series_key",
    "set_alert_status",
    "set_item_done",
    "severity_reason",
    "trigger",
    "unread_count",
    "unschedule_held_post",
]
