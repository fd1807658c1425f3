"""The connectors' messages in the reader's language: every code a connector gives a
``ConnectorError`` (or ``AuthExpired``, ``InvalidConfig``) is worded here, and the labels of the
connectors' kinds that are words rather than names (``network.<kind>``). ``network`` is a network's
name; ``detail`` is the network's own words, passed through as they came."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ambassade.workspaces.messages import CATALOGUE, catalogue, register_all

__all__ = ["connector_label"]


def connector_label(kind: str, label: str) -> str:
    """The label of a connector's kind in the reader's language: its ``network.<kind>`` wording,
    else the connector's own label (a network's name: Mastodon, YouTube…)."""
    catalogue()
    wording = CATALOGUE.get(f"network.{kind}")
    return str(wording) if wording is not None else (label or kind)


register_all(
    {
        # Labels of the kinds that are words, not names.
        "network.file": _("File import (CSV, JSONL)"),
        "network.rss": _("RSS / Atom"),
        "network.webhook": _("Webhook"),
        # The HTTP seam, for every network.
        "http.not_json": _("The network answered %(url)s with a body that is not valid JSON."),
        "http.out_of_time": _("Not sent to %(url)s: the attempt ran out of time."),
        "http.redirects": _("%(url)s redirects too many times or for a %(method)s."),
        "http.scheme": _("Only http and https addresses can be fetched, not %(scheme)s."),
        "http.too_large": _("The answer from %(url)s is larger than %(limit)s bytes."),
        "http.cannot_connect": _("Could not connect to %(url)s: %(detail)s."),
        "http.cannot_connect_maybe_received": _(
            "Could not connect to %(url)s: %(detail)s. The request may have been received; check "
            "before retrying."
        ),
        "http.timeout": _("%(url)s did not answer in time."),
        "http.timeout_maybe_received": _(
            "%(url)s did not answer in time. The request may have been received; check before "
            "retrying."
        ),
        "http.connection_failed": _("The connection to %(url)s failed: %(detail)s."),
        "http.connection_failed_maybe_received": _(
            "The connection to %(url)s failed: %(detail)s. The request may have been received; "
            "check before retrying."
        ),
        "http.unresolved": _("The host name %(host)s could not be resolved."),
        "http.private_address": _(
            "%(host)s is a private address (%(address)s): connectors reach it only if an "
            "administrator allows it with AMBASSADE_ALLOWED_PRIVATE_HOSTS."
        ),
        "http.credentials_refused": _(
            "The network refused the credentials (%(status)s): %(detail)s"
        ),
        "http.rate_limited": _("Rate limited by the network (%(where)s): %(detail)s"),
        "http.server_failed": _("The network failed (%(status)s on %(where)s): %(detail)s"),
        "http.refused": _("The network refused the request (%(status)s on %(where)s): %(detail)s"),
        # Shared by several networks.
        "connector.bad_answer": _(
            "%(network)s gave an answer Ambassade did not understand; it will try again later."
        ),
        "connector.bad_answer_maybe_received": _(
            "%(network)s gave an answer Ambassade did not understand: the post may have been "
            "published; Ambassade checks before any new attempt."
        ),
        "connector.duplicate": _("%(network)s refuses a text identical to a recent post."),
        "connector.failed_maybe_received": _(
            "%(network)s failed (%(status)s): %(detail)s. The post may have been published; "
            "Ambassade checks before any new attempt."
        ),
        "connector.media_not_uploaded": _(
            "A medium was not uploaded to %(network)s by this publisher."
        ),
        "connector.no_account_id": _("%(network)s did not say which account the token belongs to."),
        "connector.no_replies": _("Replying on %(network)s is not supported yet."),
        "connector.moderation_unsupported": _(
            "%(network)s does not let this account take this moderation action."
        ),
        "connector.moderation_bad_target": _(
            "%(network)s has no item or account named “%(target)s”: nothing was sent."
        ),
        "youtube.moderation_forbidden": _(
            "YouTube does not let this channel moderate this comment: %(detail)s"
        ),
        "youtube.ban_needs_comment": _(
            "YouTube bans an author through one of their comments, and none was given."
        ),
        "reddit.moderation_refused": _("Reddit refused the moderation action: %(detail)s"),
        "discord.missing_permission": _(
            "Discord refused: the bot lacks a permission in the server (manage messages, "
            "time out or ban members): %(detail)s"
        ),
        "discord.member_unknown": _("Discord does not know this member: %(detail)s"),
        "discord.no_guild": _("Discord did not say which server the channel belongs to."),
        "connector.no_threads": _(
            "Ambassade does not post a text in several parts to %(network)s."
        ),
        "connector.post_refused": _("%(network)s refused the post: %(detail)s"),
        "connector.rate_limited": _("%(network)s asks to wait: %(detail)s"),
        "connector.token_refused": _("%(network)s refused the access token: %(detail)s"),
        "connector.too_many_recent": _(
            "The account posted more than %(count)s times since %(since)s UTC; %(network)s's list "
            "of its posts could not be read to the end."
        ),
        "connection.no_token": _("The %(network)s connection has no access token."),
        "connection.no_page": _("The %(network)s connection names no page."),
        "connection.no_account": _("The %(network)s connection names no account."),
        "source.needs_query": _("A %(network)s source needs a search query."),
        "source.bad_mode": _("The mode must be one of %(modes)s."),
        "source.bad_kind": _("Unknown item kind %(kind)s."),
        # OAuth ("Connect with …").
        "oauth.grant_revoked": _(
            "%(network)s refused the authorisation: it was revoked or has expired%(detail)s."
        ),
        "oauth.client_refused": _(
            "%(network)s refused this installation's client id or secret%(detail)s. An "
            "administrator must check the app settings."
        ),
        "oauth.request_refused": _("%(network)s refused the request%(detail)s."),
        "oauth.cannot_renew": _("%(network)s tokens cannot be renewed without the person."),
        "oauth.no_token": _("%(network)s gave no access token."),
        "oauth.no_pages": _("%(network)s did not list the pages this person manages."),
        # Meta's Graph APIs: Facebook, Instagram, Threads.
        "graph.token_refused": _("%(network)s refused the access token: %(detail)s"),
        "graph.token_app_removed": _(
            "%(network)s refused the access token: the app was removed from the account "
            "(%(detail)s)."
        ),
        "graph.token_password_changed": _(
            "%(network)s refused the access token: the account's password changed (%(detail)s)."
        ),
        "graph.token_expired": _(
            "%(network)s refused the access token: it has expired (%(detail)s)."
        ),
        "graph.token_unconfirmed": _(
            "%(network)s refused the access token: the account is not confirmed (%(detail)s)."
        ),
        "graph.token_invalid": _(
            "%(network)s refused the access token: it is no longer valid (%(detail)s)."
        ),
        "graph.permission_missing": _(
            "%(network)s refused access, a permission is missing: %(detail)s"
        ),
        "graph.rate_limited": _("%(network)s limits how often Ambassade may call it: %(detail)s"),
        "graph.duplicate": _(
            "%(network)s refuses a text identical to the account's previous post."
        ),
        "graph.blocked": _(
            "%(network)s has temporarily blocked the account from posting: %(detail)s"
        ),
        "graph.not_found": _("%(network)s knows no such page, account or post: %(detail)s"),
        "graph.failed": _("%(network)s failed (%(status)s): %(detail)s"),
        "graph.failed_maybe_received": _(
            "%(network)s failed (%(status)s): %(detail)s. The post may have been published; "
            "Ambassade checks before any new attempt."
        ),
        "graph.too_many_pages": _(
            "%(network)s listed more than %(pages)s pages of posts; the list could not be read to "
            "the end."
        ),
        "graph.no_public_address": _(
            "%(network)s fetches images and videos from a public address, and Ambassade gave none "
            "for %(file)s."
        ),
        "graph.address_not_public": _(
            "%(network)s cannot fetch %(file)s from %(address)s: that address is not reachable "
            "from the internet. Set AMBASSADE_BASE_URL to the public address of this server."
        ),
        "graph.media_not_prepared": _("A medium for %(network)s was not prepared for it."),
        "graph.media_kind": _("Ambassade sends only images and videos to %(network)s."),
        "graph.media_failed": _("%(network)s could not process the media: %(detail)s."),
        "graph.container_expired": _(
            "%(network)s let the prepared post expire before publication; Ambassade will prepare "
            "it again."
        ),
        "graph.still_processing": _(
            "%(network)s was still processing the media after %(seconds)s seconds; Ambassade will "
            "try again later."
        ),
        "graph.quota_reached": _(
            "%(network)s's limit of posts in 24 hours is reached for this account: %(detail)s"
        ),
        "graph.quota_used": _(
            "This %(network)s account has published %(used)s posts in 24 hours, the limit is "
            "%(limit)s; Ambassade will try again later."
        ),
        "graph.carousel_too_long": _(
            "A %(network)s carousel holds at most %(limit)s images or videos."
        ),
        "graph.published_not_listed": _(
            "%(network)s says an earlier attempt published this post, but it is not among the "
            "account's recent posts yet."
        ),
        "instagram.media_required": _(
            "Instagram needs an image or a video: a text alone cannot be published there."
        ),
        "instagram.media_2207001": _(
            "Instagram could not process the media: it had an internal error."
        ),
        "instagram.media_2207003": _(
            "Instagram could not process the media: downloading it from Ambassade took too long."
        ),
        "instagram.media_2207004": _(
            "Instagram could not process the media: the image is too large."
        ),
        "instagram.media_2207005": _(
            "Instagram could not process the media: the image format is not supported (Instagram "
            "takes JPEG)."
        ),
        "instagram.media_2207009": _(
            "Instagram could not process the media: the image's aspect ratio is not supported."
        ),
        "instagram.media_2207020": _(
            "Instagram could not process the media: the prepared media expired."
        ),
        "instagram.media_2207026": _(
            "Instagram could not process the media: the video format is not supported."
        ),
        "instagram.media_2207032": _("Instagram could not create the media."),
        "instagram.media_2207052": _(
            "Instagram could not fetch the media from Ambassade's address."
        ),
        "threads.media_failed_downloading_video": _(
            "Threads could not process the media: downloading the video from Ambassade's address "
            "failed."
        ),
        "threads.media_failed_processing_audio": _(
            "Threads could not process the media: the video's sound could not be read."
        ),
        "threads.media_failed_processing_video": _(
            "Threads could not process the media: the video could not be read."
        ),
        "threads.media_invalid_aspec_ratio": _(
            "Threads could not process the media: the video's aspect ratio is not one Threads "
            "accepts."
        ),
        "threads.media_invalid_aspect_ratio": _(
            "Threads could not process the media: the video's aspect ratio is not one Threads "
            "accepts."
        ),
        "threads.media_invalid_bit_rate": _(
            "Threads could not process the media: the video's bit rate is not one Threads accepts."
        ),
        "threads.media_invalid_duration": _(
            "Threads could not process the media: the video is too long or too short for Threads."
        ),
        "threads.media_invalid_frame_rate": _(
            "Threads could not process the media: the video's frame rate is not one Threads "
            "accepts."
        ),
        "threads.media_invalid_audio_channels": _(
            "Threads could not process the media: the video's sound channels are not ones Threads "
            "accepts."
        ),
        "threads.media_invalid_audio_channel_layout": _(
            "Threads could not process the media: the video's sound channels are not ones Threads "
            "accepts."
        ),
        "threads.media_unknown": _(
            "Threads could not process the media: it had an internal error, a later attempt may "
            "work."
        ),
        "facebook.media_kind": _("Ambassade sends only photos and videos to Facebook."),
        "facebook.too_many_photos": _("A Facebook post carries at most %(limit)s photos."),
        "facebook.photos_or_video": _(
            "A Facebook post carries up to 10 photos or one video, not both."
        ),
        # Bluesky.
        "bluesky.session_refused": _("Bluesky refused the session: %(detail)s"),
        "bluesky.search_refused": _(
            "Bluesky refused the search (%(detail)s); connect a Bluesky account to search."
        ),
        "bluesky.no_credentials": _("The Bluesky connection has no identifier and app password."),
        "bluesky.not_found": _("Bluesky knows no such record: %(detail)s"),
        "bluesky.file_refused": _("Bluesky refused the file: %(detail)s"),
        "bluesky.reply_needs_parent": _("Replying on Bluesky needs the parent's record."),
        # Discord.
        "discord.token_refused": _("Discord refused the token: %(detail)s"),
        "discord.channel_refused": _("Discord refused access to the channel: %(detail)s"),
        "discord.channel_unknown": _(
            "Discord does not know this channel or webhook any more: %(detail)s"
        ),
        "discord.no_credentials": _(
            "The Discord connection has neither a bot token and channel nor a webhook."
        ),
        "discord.webhook_cannot_check": _(
            "A Discord webhook cannot read the channel, so whether the message went out cannot be "
            "checked."
        ),
        # File imports.
        "import.bad_format": _("The file format must be csv or jsonl."),
        "import.no_mapping": _("The import needs a column mapping."),
        "import.bad_mapping": _("The column mapping is incomplete: %(detail)s."),
        # LinkedIn.
        "linkedin.token_refused": _("LinkedIn refused the access token: %(detail)s"),
        "linkedin.page_refused": _(
            "LinkedIn refused access to the page (a missing permission or role): %(detail)s"
        ),
        "linkedin.version": _(
            "LinkedIn no longer supports the API version Ambassade uses (%(detail)s). Update "
            "Ambassade."
        ),
        "linkedin.statistics_refused": _(
            "LinkedIn refuses the page's statistics to this connection: the person who connected "
            "it must administer the page, and the application needs the Community Management "
            "API's approval (%(detail)s)."
        ),
        "linkedin.images_only": _("Ambassade sends only images to LinkedIn."),
        "linkedin.one_image": _("Ambassade sends one image per LinkedIn post."),
        # Mastodon.
        "mastodon.server_https": _("The Mastodon server address must start with https://."),
        "mastodon.needs_tag": _("A hashtag timeline needs a tag."),
        "mastodon.needs_account": _(
            "Searching and reading notifications need a connected Mastodon account."
        ),
        "mastodon.processing": _("Mastodon is still processing the media (%(detail)s)."),
        "mastodon.no_server": _(
            "The Mastodon connection names no server: its account must look like @name@server."
        ),
        # Reddit.
        "reddit.app_refused": _(
            "Reddit refused the application's client id and secret: %(detail)s"
        ),
        "reddit.access_refused": _("Reddit refused access (private or quarantined?): %(detail)s"),
        "reddit.no_subreddit": _("Reddit has no such subreddit (banned or misspelt?): %(detail)s"),
        "reddit.needs_subreddit": _("Reading comments needs a subreddit."),
        "metrics.no_account": _("%(network)s has no such account, or does not show it: %(detail)s"),
        "metrics.bad_handle": _("A %(network)s account is written %(example)s, not “%(handle)s”."),
        "metrics.not_public": _(
            "%(network)s shows the numbers of the accounts the connection manages only, not "
            "other people's."
        ),
        "metrics.own_only": _(
            "Ambassade reads the numbers of the connection's own %(network)s account only, not "
            "other people's."
        ),
        "metrics.no_own_account": _("The %(network)s connection names no account."),
        "metrics.needs_connection": _(
            "Reading %(network)s accounts needs a connection to %(network)s in this workspace."
        ),
        "traffic.unknown_tool": _("Ambassade does not read the web-analytics tool %(tool)s."),
        "traffic.bad_address": _("The address of the analytics server must start with https://."),
        "traffic.no_site": _("The site is missing."),
        "traffic.no_token": _("The %(tool)s site has no API token."),
        "traffic.refused": _("%(tool)s refused the request: %(detail)s"),
        "reddit.needs_connection": _(
            "A Reddit source needs a connection with a client id and secret."
        ),
        "reddit.refused": _("Reddit refused the request: %(detail)s"),
        "reddit.bad_lease": _(
            "Reddit's upload lease names an address that is not Reddit's media storage (%(host)s)."
        ),
        "reddit.image_not_listed": _(
            "Reddit took the image post but has not listed it yet; Ambassade will look for it "
            "again before any new attempt."
        ),
        "reddit.scope_missing": _(
            "The Reddit access lacks a permission Ambassade needs (submit, read and history): "
            "reconnect the account and allow them."
        ),
        "reddit.image_type": _("Ambassade sends JPEG, PNG and GIF images to Reddit, not %(type)s."),
        "reddit.gallery_too_long": _("A Reddit gallery takes at most %(limit)s images."),
        "reddit.gallery_gif": _(
            "A Reddit gallery takes JPEG and PNG images only; a GIF goes alone."
        ),
        "reddit.needs_title": _("A Reddit post needs a title: its first line."),
        "reddit.no_subreddit_set": _("The Reddit connection names no subreddit."),
        "reddit.media_not_uploaded": _("A medium was not uploaded to Reddit by this publisher."),
        "reddit.connection_incomplete": _("The Reddit connection has no %(field)s."),
        "reddit.read_back_failed": _(
            "Reddit took the image post; reading it back failed: %(detail)s"
        ),
        "reddit.api_subreddit_noexist": _("The subreddit r/%(subreddit)s does not exist."),
        "reddit.api_subreddit_notallowed": _(
            "u/%(username)s is not allowed to post in r/%(subreddit)s."
        ),
        "reddit.api_subreddit_notallowed_banned": _(
            "u/%(username)s is banned from r/%(subreddit)s."
        ),
        "reddit.api_no_selfs": _("r/%(subreddit)s does not accept text posts, only links."),
        "reddit.api_no_links": _("r/%(subreddit)s does not accept links, only text posts."),
        "reddit.api_no_text": _("Reddit needs a %(field)s for this post in r/%(subreddit)s."),
        "reddit.api_too_long": _("The %(field)s is too long for Reddit: %(detail)s."),
        "reddit.api_error": _("Reddit refused the post: %(detail)s (%(error)s)."),
        # RSS.
        "rss.address": _("The feed address must start with http:// or https://."),
        "rss.not_a_feed": _("The address did not return an RSS or Atom feed."),
        "rss.not_a_feed_because": _("The address did not return an RSS or Atom feed (%(detail)s)."),
        # Telegram.
        "telegram.bot_refused": _("Telegram refused the bot: %(detail)s"),
        "telegram.cannot_check": _(
            "A Telegram bot cannot read the channel, so whether the message went out cannot be "
            "checked."
        ),
        "telegram.no_credentials": _("The Telegram connection needs a bot token and a channel."),
        "telegram.one_image": _("Ambassade sends one image per Telegram post."),
        # X.
        "x.bearer_refused": _("X refused the bearer token: %(detail)s"),
        "x.search_refused": _("X refused the search: %(detail)s"),
        "x.query_too_long": _("X search queries are limited to %(limit)s characters."),
        "x.needs_connection": _("An X source needs a connection with a bearer token."),
        "x.listen_only": _(
            "This X connection has no user access token: it can listen, not publish."
        ),
        # YouTube.
        "youtube.key_refused": _("YouTube refused the API key: %(detail)s"),
        "youtube.quota": _("The YouTube API quota of this key is spent for today: %(detail)s"),
        "youtube.mode_needs": _("The %(mode)s mode needs %(needed)s."),
        "youtube.needs_connection": _("A YouTube source needs a connection with an API key."),
        # Issue trackers (bug reports): GitHub, GitLab, Jira, a signed webhook.
        "tracker.no_credentials": _("The %(tracker)s connection has no %(field)s."),
        "tracker.credentials_refused": _("%(tracker)s refused the credentials: %(detail)s"),
        "tracker.forbidden": _(
            "%(tracker)s refused: the credentials lack a permission (%(detail)s)."
        ),
        "tracker.rate_limited": _("%(tracker)s asks to wait before the next request: %(detail)s"),
        "tracker.not_found": _(
            "%(tracker)s cannot find it (check the project and that the credentials can see it): "
            "%(detail)s"
        ),
        "tracker.invalid": _("%(tracker)s refused the issue: %(detail)s"),
        "tracker.unexpected_answer": _("%(tracker)s answered without an issue."),
        "tracker.bad_reference": _("%(ref)s is not an issue reference of %(tracker)s."),
        "tracker.cannot_poll": _(
            "A webhook receiver cannot be asked for a report's state; it sends it."
        ),
        "tracker.bad_address": _(
            "The %(tracker)s address must be an https:// address, not %(value)s."
        ),
        "tracker.bad_repository": _("A GitHub repository is written owner/name, not %(value)s."),
        "tracker.bad_project": _(
            "A GitLab project is its path (group/project) or its number, not %(value)s."
        ),
        "tracker.bad_project_key": _(
            "A Jira project key is a capital letter then up to 9 capitals, digits or _, not "
            "%(value)s."
        ),
    }
)

# Answering people: replies, private messages and conversations (issue 12).
register_all(
    {
        "mastodon.status_gone": _("Mastodon no longer has this status: %(detail)s"),
        "mastodon.status_unknown": _("The Mastodon server does not find the status %(uri)s."),
        "mastodon.account_unknown": _("The Mastodon server does not find the account %(account)s."),
        "bluesky.post_gone": _("Bluesky no longer shows the post %(uri)s."),
        "bluesky.chat_not_allowed": _(
            "The Bluesky app password does not allow direct messages: make one with “Allow access "
            "to your direct messages” and reconnect."
        ),
        "bluesky.chat_refused": _("Bluesky refuses to send into this conversation: %(detail)s"),
        "bluesky.chat_recipient_refuses": _(
            "This person does not accept messages from the account: %(detail)s"
        ),
        "x.access_level": _(
            "The access level of this X app does not include this feature: %(detail)s"
        ),
        "x.metrics_not_in_plan": _(
            "The access level of this X app does not include reading the account's posts and "
            "their numbers (X sells this access): %(detail)s"
        ),
        "x.reply_refused": _("X refuses this reply: %(detail)s"),
        "x.message_refused": _("X refuses the direct message: %(detail)s"),
        "x.scope_missing": _("The X access lacks a permission Ambassade needs: %(detail)s"),
        "reddit.thread_locked": _("Reddit refuses the answer, the thread is locked: %(detail)s"),
        "reddit.parent_deleted": _(
            "Reddit refuses the answer, the message answered was deleted: %(detail)s"
        ),
        "reddit.archived": _("Reddit refuses the answer, the post is archived: %(detail)s"),
        "reddit.user_unknown": _("Reddit does not know this account: %(detail)s"),
        "reddit.user_refuses": _("This person does not accept messages: %(detail)s"),
        "reddit.comment_gone": _("Reddit no longer shows the comment %(id)s."),
        "youtube.comments_disabled": _("Comments are disabled on this video: %(detail)s"),
        "youtube.parent_gone": _("YouTube no longer has this comment or video: %(detail)s"),
        "youtube.text_refused": _("YouTube refuses the text of the comment: %(detail)s"),
        "youtube.comment_forbidden": _("YouTube does not allow this comment: %(detail)s"),
        "youtube.scope_missing": _(
            "The YouTube access does not allow commenting: reconnect the channel and allow "
            "managing comments."
        ),
        "youtube.video_is_not_a_thread": _(
            "A YouTube video's comments are many threads: open one of its comments."
        ),
        "graph.outside_window": _(
            "%(network)s allows an answer only within 24 hours of the person's last message (7 "
            "days for a person answering, with the Human Agent tag): %(detail)s"
        ),
        "graph.person_unavailable": _(
            "%(network)s cannot deliver to this person now (blocked, gone, or out of the page's "
            "reach): %(detail)s"
        ),
        "instagram.message_too_long": _("An Instagram message holds at most %(limit)s bytes."),
        "telegram.parent_gone": _("The Telegram message answered is gone: %(detail)s"),
        "telegram.user_refuses": _(
            "Telegram cannot deliver to this person or chat (the bot was blocked, or never "
            "started): %(detail)s"
        ),
        "telegram.updates_elsewhere": _(
            "Telegram gives this bot's updates elsewhere (a webhook, or another reader): %(detail)s"
        ),
        "discord.user_refuses": _("Discord cannot deliver to this person: %(detail)s"),
        "discord.message_gone": _("Discord no longer has this message: %(detail)s"),
        "discord.needs_bot": _("Only a Discord bot can answer people; a webhook can only post."),
        # E-mail (IMAP and SMTP).
        "network.email": _("E-mail"),
        "email.no_credentials": _("The e-mail connection has no user name and password."),
        "email.bad_address": _("The workspace's e-mail address %(address)s is not an address."),
        "email.bad_host": _("The %(server)s server %(host)s is not a host name."),
        "email.bad_security": _("The %(server)s security must be one of %(choices)s."),
        "email.needs_tls": _(
            "The %(server)s server %(host)s would get the password and the mail in clear text: "
            "choose SSL or STARTTLS."
        ),
        "email.bad_port": _("The %(server)s port must be a number from 1 to 65535."),
        "email.bad_folder": _("The folder name %(folder)s cannot be used."),
        "email.no_folder": _("The mailbox has no folder %(folder)s."),
        "email.cannot_connect": _("Could not talk to the %(server)s server %(host)s: %(detail)s"),
        "email.certificate": _(
            "The %(server)s server %(host)s has a certificate that cannot be trusted: %(detail)s"
        ),
        "email.login_refused": _(
            "The %(server)s server refused the user name or password: %(detail)s"
        ),
        "email.server_refused": _("The IMAP server refused the request: %(detail)s"),
        "email.message_gone": _("The mailbox has no message %(id)s."),
        "email.no_recipient": _("The message answered names no sender to answer."),
        "email.bad_header": _("The e-mail cannot be written: %(detail)s"),
        "email.recipient_refused": _("The SMTP server refused the recipient: %(detail)s"),
        "email.smtp_refused": _("The SMTP server refused the sending: %(detail)s"),
        "email.smtp_later": _("The SMTP server asks to try again later: %(detail)s"),
        "email.smtp_unsupported": _("The SMTP server does not offer what is needed: %(detail)s"),
        "email.maybe_sent": _(
            "The SMTP server %(host)s did not confirm the message: %(detail)s. It may have been "
            "sent; Ambassade checks before any new attempt."
        ),
    }
)
