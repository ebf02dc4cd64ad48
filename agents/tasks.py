from celery import shared_task

from agents import assignment, crisis, escalation, routing


@shared_task(name="agents.route_conversations")
def route_conversations(conversation_ids):
    routing.route_all(conversation_ids)


@shared_task(name="agents.assign_waiting")
def assign_waiting(team_id):
    assignment.assign_waiting(team_id)


@shared_task(name="agents.handle_breaches")
def handle_breaches(conversation_ids):
    for conversation_id in conversation_ids:
        escalation.handle_breach(conversation_id)


@shared_task(name="agents.assignment_sweep")
def assignment_sweep():
    return {"requeued": assignment.requeue_absent(), "reassigned": assignment.reassign_unanswered()}


@shared_task(name="agents.crisis_watch")
def crisis_watch():
    return [alert.pk for alert in crisis.watch()]
