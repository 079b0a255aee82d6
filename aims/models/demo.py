from django.contrib.contenttypes.models import ContentType
from django.db import models


class DemoRecord(models.Model):
    """What `manage.py seed_demo` made once, under a key that does not change when people edit the record
    (the model and the title the demo gave it), or a step it took once. A second run skips whatever is
    here, so it never brings back, duplicates or overwrites what people did to the demo since."""

    key = models.CharField(max_length=300, unique=True)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    seeded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key

    class Meta:
        verbose_name_plural = "demo records"
