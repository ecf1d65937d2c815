"""One-time SMS codes: six digits, stored as a keyed digest, good for ``SMS_CODE_MINUTES``
and ``SMS_CODE_ATTEMPTS`` wrong guesses, used once. Sending is limited per number
(``SMS_CODES_PER_NUMBER_PER_HOUR``, shop.core.attempts, so nobody floods one phone from
many clients) and per client (throttle scope ``sms_code``, in the API view)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shop.accounts.errors import SmsCodeInvalid, SmsCodeTooOften
from shop.accounts.models import SmsCode
from shop.accounts.sms.senders import sms_sender
from shop.core.attempts import AttemptLimit, attempt_failed, attempts_locked_for


def _digest(phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"sms-code:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def _per_number() -> AttemptLimit:
    return AttemptLimit(
        scope="sms_code_number", failures=settings.SMS_CODES_PER_NUMBER_PER_HOUR, seconds=3600
    )


def sms_code_send(*, phone: str) -> None:
    """Make a code for ``phone`` and send it (the number is already a checked mainland one)."""
    wait = attempts_locked_for(_per_number(), phone)
    if wait:
        raise SmsCodeTooOften(retry_after=wait)
    attempt_failed(_per_number(), phone)  # every code sent counts toward the number's limit
    code = f"{secrets.randbelow(1_000_000):06d}"
    SmsCode.objects.create(
        phone=phone,
        digest=_digest(phone, code),
        expires_at=timezone.now() + dt.timedelta(minutes=settings.SMS_CODE_MINUTES),
    )
    sms_sender().send_code(phone=phone, code=code)


def sms_code_use(*, phone: str, code: str) -> None:
    """Use the newest live code of ``phone``, or SmsCodeInvalid. A wrong guess is counted
    (committed before the refusal), so call this outside a transaction."""
    now = timezone.now()
    with transaction.atomic():
        latest = (
            SmsCode.objects.select_for_update()
            .filter(phone=phone, used_at__isnull=True, expires_at__gt=now)
            .filter(failed_attempts__lt=settings.SMS_CODE_ATTEMPTS)
            .order_by("-created_at", "-id")
            .first()
        )
        right = latest is not None and hmac.compare_digest(
            latest.digest, _digest(phone, code.strip())
        )
        if latest is not None and right:
            SmsCode.objects.filter(pk=latest.pk).update(used_at=now)
        elif latest is not None:
            SmsCode.objects.filter(pk=latest.pk).update(failed_attempts=F("failed_attempts") + 1)
    if not right:
        raise SmsCodeInvalid()
