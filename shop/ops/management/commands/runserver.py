"""``manage.py runserver`` that also runs the periodic tasks where tasks run in-process
(the embedded default): see shop/ops/beat.py."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.management.commands.runserver import Command as StaticRunserver

from shop.ops.beat import in_process_beat_start, in_process_beat_wanted


class Command(StaticRunserver):
    help = StaticRunserver.help + " Runs the periodic tasks too when tasks run in-process."

    def inner_run(self, *args: Any, **options: Any) -> None:
        # inner_run is the serving process (the reloader's child when reloading is on).
        if in_process_beat_wanted():
            in_process_beat_start()
            self.stdout.write("Periodic tasks run in this process (no Celery beat needed).")
        super().inner_run(*args, **options)
