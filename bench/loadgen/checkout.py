"""``checkout``: shoppers buying one item again and again, by one of three flows."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from bench.loadgen.client import Answer, Client, Record


def cart_path(channel: str, token: str = "", suffix: str = "") -> str:
    base = f"/api/v1/carts/{token}/" if token else "/api/v1/carts/"
    return f"{base}{suffix}?channel={channel}"


async def checkout_ready(
    client: Client, *, channel: str, sku: str, email: str, headers: dict[str, str], timed: dict
) -> str:
    """Cart, line and checkout details; returns the cart token."""

    async def step(name: str, method: str, path: str, body: Any, expect: int) -> Answer:
        started = time.perf_counter()
        answer = await client.send(method, path, headers=headers, body=body)
        timed[name] = time.perf_counter() - started
        if answer.status != expect:
            raise StepFailed(name, answer)
        return answer

    token = (await step("cart", "POST", cart_path(channel), None, 201)).json()["token"]
    await step(
        "line", "POST", cart_path(channel, token, "lines/"), {"sku": sku, "quantity": 1}, 201
    )
    await step(
        "details",
        "PATCH",
        cart_path(channel, token, "checkout/"),
        {"email": email, "shipping_address": ADDRESS, "shipping_method": "standard"},
        200,
    )
    return token


class StepFailed(Exception):
    def __init__(self, step: str, answer: Answer) -> None:
        super().__init__(f"{step}: HTTP {answer.status}")
        self.step = step
        self.answer = answer


ADDRESS = {
    "name": "王小明",
    "phone": "13800000000",
    "country": "CN",
    "province": "北京市",
    "city": "北京市",
    "district": "西城区",
    "street": "前海西街17号",
    "postcode": "100009",
}


async def _buy_now(
    client: Client, *, channel: str, sku: str, email: str, timed: dict[str, float], payer: Payer
) -> None:
    """The storefront's buy now: the order placed in one request with its line, details
    and payment started (``POST /api/v1/orders/``), then paid at the provider."""
    started = time.perf_counter()
    order = await client.send(
        "POST",
        f"/api/v1/orders/?channel={channel}",
        headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}", **payer.headers},
        body={
            "lines": [{"sku": sku, "quantity": 1}],
            "email": email,
            "shipping_address": ADDRESS,
            "shipping_method": "standard",
            "payment_provider": payer.provider,
        },
    )
    timed["order"] = time.perf_counter() - started
    if order.status != 201 or order.json()["payment"] is None:
        raise StepFailed("order", order)
    await payer.pay(client, order.json()["payment"], email, timed)


class Payer:
    """How a shopper pays: at the fake Stripe over HTTP (``stripe``: confirm the intent
    with its client secret, as Stripe.js does; the provider delivers the webhook to the
    shop before it answers) or at the shop's fake provider (``fake``)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.provider = spec.get("provider", "fake")
        self.provider_port = spec.get("provider_port")
        self.headers = {"X-Channel-Key": spec["channel_key"]} if spec.get("channel_key") else {}
        self.clients: list[Client] = []

    async def pay(
        self, client: Client, payment: dict[str, Any], email: str, timed: dict[str, float]
    ) -> None:
        started = time.perf_counter()
        if self.provider == "stripe":
            secret = payment["client_secret"]
            intent = secret.split("_secret_")[0]
            at = self.clients.pop() if self.clients else Client(int(self.provider_port))
            try:
                answer = await at.send(
                    "POST",
                    f"/v1/payment_intents/{intent}/confirm",
                    body={"client_secret": secret, "payment_method": "pm_card_visa"},
                )
            except Exception:
                await at.close()
                raise
            self.clients.append(at)
            timed["confirm"] = time.perf_counter() - started
            if answer.status != 200 or answer.headers.get("x-webhook-status") != "200":
                raise StepFailed("confirm", answer)
            return
        confirmed = await client.send(
            "POST",
            f"/api/v1/payments/{payment['id']}/fake/confirm/",
            headers={},
            body={"outcome": "succeed", "email": email},
        )
        timed["confirm"] = time.perf_counter() - started
        if confirmed.status != 200 or confirmed.json()["order_status"] != "paid":
            raise StepFailed("confirm", confirmed)

    async def close(self) -> None:
        for client in self.clients:
            await client.close()


async def _cart_then_order(
    client: Client, *, channel: str, sku: str, email: str, timed: dict[str, float], payer: Payer
) -> None:
    """A cart created with its line and details, the order placed with its payment
    started, the payment confirmed at the fake provider."""

    async def step(name: str, path: str, body: Any, expect: int, **headers: str) -> Answer:
        started = time.perf_counter()
        answer = await client.send("POST", path, headers=headers, body=body)
        timed[name] = time.perf_counter() - started
        if answer.status != expect:
            raise StepFailed(name, answer)
        return answer

    cart = await step(
        "cart",
        cart_path(channel),
        {
            "lines": [{"sku": sku, "quantity": 1}],
            "email": email,
            "shipping_address": ADDRESS,
            "shipping_method": "standard",
        },
        201,
    )
    token = cart.json()["token"]
    order = await step(
        "order",
        cart_path(channel, token, "order/"),
        {"payment_provider": payer.provider},
        201,
        **{"Idempotency-Key": f"bench-{token}"},
    )
    payment = order.json()["payment"]
    if payment is None:
        raise StepFailed("order", order)
    await payer.pay(client, payment, email, timed)


async def _step_by_step(
    client: Client, *, channel: str, sku: str, email: str, timed: dict[str, float], payer: Payer
) -> None:
    """Cart, line, checkout details, order (with an Idempotency-Key), payment start with
    the fake provider, fake confirmation: a request each."""
    token = await checkout_ready(
        client, channel=channel, sku=sku, email=email, headers={}, timed=timed
    )
    t = time.perf_counter()
    order = await client.send(
        "POST",
        cart_path(channel, token, "order/"),
        headers={"Idempotency-Key": f"bench-{token}"},
    )
    timed["order"] = time.perf_counter() - t
    if order.status != 201:
        raise StepFailed("order", order)
    number_ = order.json()["number"]
    t = time.perf_counter()
    payment = await client.send(
        "POST",
        f"/api/v1/orders/{number_}/payments/",
        body={"provider": payer.provider, "email": email},
    )
    timed["pay"] = time.perf_counter() - t
    if payment.status != 201:
        raise StepFailed("pay", payment)
    await payer.pay(client, payment.json(), email, timed)


FLOWS = {
    "buy-now": (_buy_now, ("order", "confirm")),
    "cart-then-order": (_cart_then_order, ("cart", "order", "confirm")),
    "step-by-step": (_step_by_step, ("cart", "line", "details", "order", "pay", "confirm")),
}


async def run_checkout(spec: dict[str, Any]) -> dict[str, Any]:
    port, channel, skus = spec["port"], spec["channel"], spec["skus"]
    flow, step_names = FLOWS[spec.get("flow", "buy-now")]
    record = Record(steps={name: [] for name in step_names})
    warm_until = time.perf_counter() + spec.get("warmup", 2.0)
    stop_at = warm_until + spec["seconds"]
    max_orders = spec.get("max_orders", 100_000)
    counter = iter(range(10**9))
    record.started = warm_until
    payer = Payer(spec)

    async def shopper(number: int) -> None:
        client = Client(port)
        try:
            while time.perf_counter() < stop_at and len(record.latencies) < max_orders:
                n = next(counter)
                email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
                timed: dict[str, float] = {}
                started = time.perf_counter()
                try:
                    await flow(
                        client,
                        channel=channel,
                        sku=skus[n % len(skus)],
                        email=email,
                        timed=timed,
                        payer=payer,
                    )
                except StepFailed as exc:
                    if started >= warm_until:
                        record.failures[f"{exc.step} HTTP {exc.answer.status}"] += 1
                        record.statuses[exc.answer.status] += 1
                    continue
                except Exception as exc:
                    await client.close()
                    if started >= warm_until:
                        record.failures[type(exc).__name__] += 1
                    continue
                if started < warm_until:
                    continue
                record.latencies.append(time.perf_counter() - started)
                record.statuses["paid"] += 1
                for name, seconds in timed.items():
                    record.steps[name].append(seconds)
        finally:
            await client.close()

    await asyncio.gather(*(shopper(n) for n in range(spec["concurrency"])))
    record.ended = time.perf_counter()
    await payer.close()
    return record.summary()
