"""The site's public address and name, for everything that leaves the site: e-mails (ours
and allauth's, through accounts.adapters), and any absolute link built outside a request.

One setting, SITE_BASE_URL, decides the scheme, host and port of every link; the request
that happened to send an e-mail (a worker, a proxy on another port, "127.0.0.1:8101")
never does."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings


def site_url(path: str = "/") -> str:
    """The absolute URL of `path` (a site-relative path, or an absolute URL of the site's
    own that was built from a request: its scheme and host are replaced)."""
    bits = urlsplit(path)
    relative = bits.path or "/"
    if bits.query:
        relative += f"?{bits.query}"
    if bits.fragment:
        relative += f"#{bits.fragment}"
    if not relative.startswith("/"):
        relative = f"/{relative}"
    return settings.SITE_BASE_URL.rstrip("/") + relative


@dataclass(frozen=True)
class SiteIdentity:
    """What e-mails call the site: allauth's templates read `current_site.name` and
    `current_site.domain` (without django.contrib.sites they got the request's host)."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.name


def site_identity() -> SiteIdentity:
    return SiteIdentity(
        name=settings.WAGTAIL_SITE_NAME, domain=urlsplit(settings.SITE_BASE_URL).netloc
    )
