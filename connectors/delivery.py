"""What a connector needs to post a reply, read from the inbox."""

from connectors.base import OutboundReply
from inbox.models import Direction, Message, Visibility


def outbound_reply(message: Message) -> OutboundReply:
    conversation = message.conversation
    answered = (
        Message.objects.filter(channel_id=message.channel_id, external_id=message.parent_external_id).first()
        if message.parent_external_id
        else None
    )
    last_inbound = (
        conversation.messages.filter(direction=Direction.INBOUND).order_by("-sent_at").values_list("sent_at", flat=True).first()
    )
    return OutboundReply(
        message_id=message.pk,
        text=message.text,
        public=message.visibility == Visibility.PUBLIC,
        in_reply_to=message.parent_external_id,
        recipient_id=conversation.contact.platform_id,
        thread_id=answered.thread_external_id if answered else "",
        customer_last_message_at=last_inbound,
        context=(answered.raw or {}) if answered else {},
    )
