"""The plain API tokens of before (one per user, kept in clear, never expiring) become
hashed device tokens: each keeps working, as the device "token from before device
sign-in", until TOKEN_TTL after this migration; the clear copies are deleted."""

import hashlib
import uuid

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def _digest(key: str) -> str:
    # knox's hash_token with its default SECURE_HASH_ALGORITHM (SHA-512 of the text).
    return hashlib.sha512(key.encode()).hexdigest()


def carry_over(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    DeviceToken = apps.get_model("accounts", "DeviceToken")
    expiry = timezone.now() + settings.TOKEN_TTL
    DeviceToken.objects.bulk_create(
        [
            DeviceToken(
                digest=_digest(token.key),
                token_key=token.key[:15],
                user_id=token.user_id,
                expiry=expiry,
                device_id=uuid.uuid4(),
                name="token from before device sign-in",
            )
            for token in Token.objects.all()
        ]
    )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_device_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
