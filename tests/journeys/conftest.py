"""The shops the journeys talk to: the embedded default and the production-like stack,
started side by side once for all the journeys that need them and stopped, whatever
happens, when the last journey is done. A failing journey shows its shop's log tails."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from tests.journeys.stacks import EmbeddedStack, ProductionStack, Stack, database_drop

HERE = Path(__file__).resolve().parent
STACKS = ("embedded", "production")


def journey_database_url() -> str:
    """JOURNEY_DATABASE_NAME on the test database's PostgreSQL server."""
    database = settings.DATABASES["default"]
    if "postgresql" in database["ENGINE"]:
        user, password = database.get("USER") or "postgres", database.get("PASSWORD") or ""
        host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    else:
        user, password, host, port = "postgres", "", "127.0.0.1", 5432
    login = f"{user}:{password}" if password else user
    return f"postgres://{login}@{host}:{port}/{settings.JOURNEY_DATABASE_NAME}"


def _resources_check() -> None:
    """The production-like stack empties its Redis database and drops its database:
    neither may be one the rest of the test run uses."""
    taken_redis = {settings.REDIS_URL, os.environ.get("BROKER_TEST_URL", "")}
    if settings.JOURNEY_REDIS_URL in taken_redis:
        raise RuntimeError(f"JOURNEY_REDIS_URL ({settings.JOURNEY_REDIS_URL}) is the tests'")
    database = settings.DATABASES["default"]
    if settings.JOURNEY_DATABASE_NAME in {database["NAME"], database["TEST"]["NAME"]}:
        raise RuntimeError(
            f"JOURNEY_DATABASE_NAME ({settings.JOURNEY_DATABASE_NAME}) is the tests'"
        )


def _start(stack: Stack) -> None:
    if isinstance(stack, ProductionStack):
        _resources_check()
    stack.start()


def _wanted(items: list[pytest.Item]) -> set[str]:
    """The stacks the collected journeys talk to: only those are started."""
    wanted: set[str] = set()
    for item in items:
        if not Path(item.path).is_relative_to(HERE):
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "stack" in callspec.params:
            wanted.add(callspec.params["stack"])
        if "embedded_stack" in getattr(item, "fixturenames", ()):
            wanted.add("embedded")
    return wanted


class CleanupLater:
    """Clean-up that may finish while the rest of the suite runs, waited for at its end:
    dropping a database waits for a checkpoint of the whole (shared) server."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journeys-cleanup")
        self._futures: list[Future] = []

    def submit(self, function: Callable[..., object], *args: object) -> None:
        self._futures.append(self._pool.submit(function, *args))

    def wait(self) -> None:
        self._pool.shutdown(wait=True)
        for future in self._futures:
            future.result()


@pytest.fixture(scope="session")
def cleanup_later() -> Iterator[CleanupLater]:
    cleanup = CleanupLater()
    yield cleanup
    cleanup.wait()


@pytest.fixture(scope="package")
def shops(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    cleanup_later: CleanupLater,
) -> Iterator[dict[str, Stack | BaseException]]:
    wanted = _wanted(request.session.items)
    stacks: dict[str, Stack] = {}
    if "embedded" in wanted:
        stacks["embedded"] = EmbeddedStack(tmp_path_factory.mktemp("embedded"))
    if "production" in wanted:
        stacks["production"] = ProductionStack(
            tmp_path_factory.mktemp("production"),
            database_url=journey_database_url(),
            redis_url=settings.JOURNEY_REDIS_URL,
        )
    pool = ThreadPoolExecutor(max_workers=max(len(stacks), 1), thread_name_prefix="journeys")
    try:
        # Side by side: each spends most of its minute migrating and loading the demo.
        futures = {name: pool.submit(_start, stack) for name, stack in stacks.items()}
        yield {name: future.exception() or stacks[name] for name, future in futures.items()}
    finally:
        try:
            _stop_all(stacks.values())
        finally:
            pool.shutdown(wait=True)
            _stop_all(stacks.values())  # anything a start began while the first stop ran
            for stack in stacks.values():
                if isinstance(stack, ProductionStack):
                    cleanup_later.submit(database_drop, stack.database_url)


def _stop_all(stacks: Iterable[Stack]) -> None:
    with ThreadPoolExecutor(thread_name_prefix="journeys-stop") as stopping:
        for stopped in [stopping.submit(stack.stop) for stack in stacks]:
            stopped.result()


def _started(shops: dict[str, Stack | BaseException], name: str) -> Stack:
    started = shops[name]
    if isinstance(started, BaseException):
        pytest.fail(str(started), pytrace=False)
    return started


@pytest.fixture(params=STACKS, ids=list(STACKS))
def stack(request: pytest.FixtureRequest, shops: dict[str, Stack | BaseException]) -> Stack:
    return _started(shops, request.param)


@pytest.fixture
def embedded_stack(shops: dict[str, Stack | BaseException]) -> Stack:
    return _started(shops, "embedded")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    if report.failed and call.when == "call":
        for stack in getattr(item, "funcargs", {}).values():
            if isinstance(stack, Stack):
                report.sections.append((f"{stack.name} shop's logs", stack.tail()))
    return report
