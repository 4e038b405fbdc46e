"""`consent_notice` for base.html: a banner for a logged-in person who has not accepted the
current privacy policy (the version changed since, or they never did), with the way to
accept it. Nothing for anonymous visitors (no query, and nothing that would keep a page
cache from serving them); at most one query for a logged-in person, shared with the rule
book's participation gate (privacy.consent caches it on the user). Not shown to someone who
withdrew consent on purpose: the rule book tells them the way back when they try to act."""

from . import consent

SKIP_ON = {"consent_accept", "consent_withdraw"}


def consent_notice(request):
    def notice():
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated):
            return None
        match = getattr(request, "resolver_match", None)
        if match and match.url_name in SKIP_ON:
            return None
        status = consent.consent_status(user)
        if status is None or status.current or status.withdrawn:
            return None
        back = request.get_full_path() if request.method == "GET" else ""
        return {
            "version": status.version,
            "changed": bool(status.last_version),
            "url": consent.accept_url(back),
        }

    return {"consent_notice": notice}
