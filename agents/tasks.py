from celery import shared_task

from agents import assignment, routing


@shared_task(name="agents.route_conversations")
def route_conversations(conversation_ids):
    for conversation_id in conversation_ids:
        routing.route(conversation_id)


@shared_task(name="agents.assign_waiting")
def assign_waiting(team_id):
    assignment.assign_waiting(team_id)
