from django.contrib import admin

from inbox.models import Contact, Conversation, ConversationEvent, Message, SLAPolicy


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["handle", "name", "platform", "followers", "verified"]
    search_fields = ["handle", "name", "platform_id"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["pk", "contact", "channel", "status", "priority", "team", "assignee", "sla_state", "response_due_at"]
    list_filter = ["status", "sla_state", "priority", "team"]
    raw_id_fields = ["contact", "assignee"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["pk", "conversation", "direction", "visibility", "delivery", "sent_at"]
    list_filter = ["direction", "visibility", "delivery"]
    raw_id_fields = ["conversation", "author_contact", "author_user"]


@admin.register(ConversationEvent)
class ConversationEventAdmin(admin.ModelAdmin):
    list_display = ["conversation", "kind", "actor", "created_at"]
    raw_id_fields = ["conversation", "actor"]

    def has_change_permission(self, request, obj=None):
        return False  # the audit trail is append-only

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(SLAPolicy)
