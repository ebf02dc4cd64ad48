from celery import shared_task

from inbox import actions


@shared_task(name="inbox.sla_sweep")
def sla_sweep():
    return actions.sweep_sla()
