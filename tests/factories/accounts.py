"""People: shoppers, staff and superusers, each with a password they can sign in with."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from shop.accounts.models import User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Li"
    last_name = "Wei"
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class SuperuserFactory(UserFactory):
    is_staff = True
    is_superuser = True


def api_token_for(user: User, *, name: str = "test device") -> str:
    """A fresh device token for ``user``, as a sign-in would give it."""
    from shop.accounts.tokens import device_token_create

    return device_token_create(user=user, name=name)[1]
