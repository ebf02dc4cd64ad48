"""ASGI lifespan: runs the beat schedule in-process when there is no worker fleet."""

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.conf import settings

from socialcare.celery import app as celery_app

log = logging.getLogger(__name__)


async def run_schedule():
    """Call each beat entry at its interval; tasks run eagerly in this process."""
    entries = settings.CELERY_BEAT_SCHEDULE.values()
    loop = asyncio.get_running_loop()
    next_run = {entry["task"]: loop.time() for entry in entries}
    while True:
        for entry in entries:
            name = entry["task"]
            if loop.time() >= next_run[name]:
                next_run[name] = loop.time() + entry["schedule"].total_seconds()
                try:
                    await sync_to_async(celery_app.tasks[name].apply, thread_sensitive=True)()
                except Exception:  # a failing job must not stop the others
                    log.exception("scheduled job %s failed", name)
        await asyncio.sleep(1)


async def lifespan(scope, receive, send):
    scheduler = None
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            if settings.EMBEDDED:
                scheduler = asyncio.create_task(run_schedule())
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            if scheduler:
                scheduler.cancel()
            await send({"type": "lifespan.shutdown.complete"})
            return
