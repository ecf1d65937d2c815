"""``arrivals``: shoppers arriving at a fixed rate, each on a connection of their own,
checking out once and paying, whether or not the shop keeps up (an open loop: a slow
shop does not slow the arrivals, so queues show as latency, as they do for shoppers).
At most ``max_in_flight`` shoppers are served at once; one still waiting for a turn
``give_up_seconds`` (10) after arriving leaves and is counted as an error.

The livestream drop is ``rate`` 500 for 1 s on one SKU; the sustained scenario is a
rate held for minutes over many SKUs. ``sold_out_ok``: a 409 answer to the order
(sold out, limit reached) is an expected answer, not an error.

Every answer of the shop is timed (``answers``: the order, each step, and the payment
up to the shop's answer to the provider's webhook); ``latencies`` is the whole checkout
of the shoppers who paid.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

from bench.loadgen.checkout import FLOWS, Payer, StepFailed
from bench.loadgen.client import Client, Record, percentile_ms


def _code(exc: StepFailed) -> str:
    try:
        return str(exc.answer.json().get("code", ""))
    except (ValueError, AttributeError):
        return ""


async def run_arrivals(spec: dict[str, Any]) -> dict[str, Any]:
    port, channel, skus = spec["port"], spec["channel"], spec["skus"]
    flow, step_names = FLOWS[spec.get("flow", "buy-now")]
    rate, seconds = float(spec["rate"]), float(spec["seconds"])
    in_flight = asyncio.Semaphore(spec.get("max_in_flight", 1000))
    record = Record(steps={name: [] for name in step_names})
    answers: list[float] = []
    payer = Payer(spec)
    total = int(rate * seconds)

    give_up = spec.get("give_up_seconds", 10.0)

    async def shopper(number: int, due: float) -> None:
        async with in_flight:
            if time.perf_counter() - due > give_up:
                # Still waiting for a connection long after arriving: the shopper leaves
                # (counted), and the run stays bounded however far behind the shop is.
                record.failures["gave up before sending"] += 1
                return
            client = Client(port, timeout=spec.get("timeout", 30.0))
            timed: dict[str, float] = {}
            started = time.perf_counter()
            try:
                await flow(
                    client,
                    channel=channel,
                    sku=skus[number % len(skus)],
                    email=f"shopper-{number}-{uuid.uuid4().hex[:8]}@example.com",
                    timed=timed,
                    payer=payer,
                )
            except StepFailed as exc:
                status = exc.answer.status
                code = _code(exc)
                if status == 409 and spec.get("sold_out_ok") and exc.step == "order":
                    record.statuses[f"409 {code}"] += 1
                else:
                    record.failures[f"{exc.step} HTTP {status} {code}"] += 1
                    record.statuses[status] += 1
            except Exception as exc:
                record.failures[type(exc).__name__] += 1
            else:
                record.latencies.append(time.perf_counter() - started)
                record.statuses["paid"] += 1
            finally:
                await client.close()
            answers.extend(timed.values())
            for name, took in timed.items():
                record.steps[name].append(took)

    record.started = time.perf_counter()
    tasks = []
    for number in range(total):
        due = record.started + number / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(shopper(number, due)))
    offered_until = time.perf_counter()
    await asyncio.gather(*tasks)
    record.ended = time.perf_counter()
    await payer.close()
    summary = record.summary()
    ordered = sorted(answers)
    summary.update(
        arrivals=total,
        offered_rate=rate,
        arrival_seconds=round(offered_until - record.started, 3),
        # Paid orders per second from the first arrival to the last answer: the rate
        # the shop sustained (the offered window alone would flatter a shop that
        # answers long after the last shopper arrived).
        paid_per_second=round(
            record.statuses["paid"] / max(seconds, record.ended - record.started), 1
        ),
        all_answers_s=round(record.ended - record.started, 3),
        answers=len(ordered),
        answer_p95_ms=percentile_ms(ordered, 95),
        answer_max_ms=percentile_ms(ordered, 100),
    )
    return summary
