"""factory_boy factories for the project's models."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.models import Resident

PASSWORD = "una-clave-larga-2026"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"vecino{n}@example.ec")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()

    @factory.post_generation
    def consented(self, create, extracted, **kwargs):
        """A standing consent to the current privacy policy, as sign-up records it (the
        rule book's participation gate asks for it); `consented=False` for none."""
        if create and extracted is not False:
            from privacy.consent import consent_ensure_current

            consent_ensure_current(self)


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Vecina {n}")


def valid_cedula(first_nine: str) -> str:
    from accounts.cedula import check_digit

    return first_nine + str(check_digit(first_nine))


def login_with_mfa(client, user):
    """Log `user` in with a TOTP authenticator and an MFA step recorded in the session, as
    allauth leaves it after a code was typed (what staff views and the admin require)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
    )
    client.force_login(user)
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": 1e10},
        {"method": "mfa", "type": "totp", "at": 1e10},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client


def recreate_wagtail_base():
    """What Wagtail's migrations create and a flush wipes (transactional tests flush the
    database): the locale, the root page and the root collection."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    locale, _created = Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def with_mfa(user):
    """`user` marked as a session that passed MFA leaves it (quitodecide.mfa): for tests
    that call staff services directly. Staff objects without the mark are refused."""
    from quitodecide.mfa import mark_user

    mark_user(user, True)
    return user


def comment_state(comment) -> dict:
    """Everything an action on a comment could change, read fresh: tests compare it before
    and after a refused action to show that nothing changed."""
    from discussions.models import Comment, Flag, Support

    fresh = Comment.objects.get(pk=comment.pk)
    return {
        "body": fresh.body,
        "stance": fresh.stance,
        "status": fresh.status,
        "edited_at": fresh.edited_at,
        "support_count": fresh.support_count,
        "open_flag_count": fresh.open_flag_count,
        "supports": Support.objects.filter(comment=fresh).count(),
        "flags": Flag.objects.filter(comment=fresh).count(),
        "replies": Comment.objects.filter(parent=fresh).count(),
    }
