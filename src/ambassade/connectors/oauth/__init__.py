"""OAuth 2.0 authorization-code flows of the networks that use them ("Connect with …").

Pure protocol, no Django: per network a :class:`Provider` builds the authorize URL, exchanges the
code the network sends back for tokens (a :class:`Grant`), lists the accounts those tokens may
publish as (:class:`Account`, each with the credentials to store in the vault) and refreshes stored
credentials before they expire (:class:`Refreshed`). Every call goes through the connectors' HTTP
seam; ``endpoints`` override the base addresses (tests point them at 127.0.0.1).

The credential keys are the ones the publishers read:

- linkedin: ``access_token``, ``refresh_token`` (if granted), ``organization`` (URN);
- x: ``access_token``, ``refresh_token``, ``user_id``, ``username``;
- facebook: ``page_id``, ``access_token`` (page token), ``user_access_token`` (long-lived);
- instagram: ``ig_user_id``, ``access_token`` (the linked page's token);
- threads: ``threads_user_id``, ``access_token`` (long-lived, 60 days);
- reddit: ``client_id``, ``client_secret``, ``refresh_token``, ``username``, ``access_token``,
  ``access_token_expires_at`` (ISO 8601); the app adds ``subreddit``;
- tiktok: ``access_token`` (24 hours), ``refresh_token`` (a year), ``open_id``, ``username`` (read
  by the metrics reader only: Ambassade does not publish to TikTok).

Errors: a refused code, refresh token or revoked authorisation raises :class:`GrantRevoked` (an
:class:`~ambassade.connectors.base.AuthExpired`: the connection needs reconnecting); a wrong client id
or secret raises a permanent :class:`OAuthError`; 5xx and timeouts raise temporary errors. Tokens
never appear in a message, a repr or a log line.
"""

from __future__ import annotations

from ambassade.connectors.oauth._base import (
    Account,
    App,
    Grant,
    GrantRevoked,
    OAuthError,
    Provider,
    Refreshed,
    code_challenge,
    new_code_verifier,
    new_state,
)
from ambassade.connectors.oauth.linkedin import LinkedInProvider
from ambassade.connectors.oauth.meta import FacebookProvider, ThreadsProvider
from ambassade.connectors.oauth.reddit import RedditProvider
from ambassade.connectors.oauth.tiktok import TikTokProvider
from ambassade.connectors.oauth.x import XProvider

__all__ = [
    "PROVIDERS",
    "Account",
    "App",
    "FacebookProvider",
    "Grant",
    "GrantRevoked",
    "LinkedInProvider",
    "OAuthError",
    "Provider",
    "RedditProvider",
    "Refreshed",
    "ThreadsProvider",
    "TikTokProvider",
    "XProvider",
    "code_challenge",
    "new_code_verifier",
    "new_state",
]


#: Provider classes by key (the callback's path); ``instagram`` connects through Facebook Login.
PROVIDERS: dict[str, type[Provider]] = {
    cls.key: cls
    for cls in (
        LinkedInProvider,
        XProvider,
        FacebookProvider,
        ThreadsProvider,
        RedditProvider,
        TikTokProvider,
    )
}
