from django.contrib import admin

from crm.admin import OwnedRecordAdmin
from deals.models import Deal, Pipeline, Stage


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    inlines = [StageInline]


@admin.register(Deal)
class DealAdmin(OwnedRecordAdmin):
    list_display = ["title", "stage", "amount", "owner"]
    raw_id_fields = ["owner", "company", "contacts"]
    show_full_result_count = False
