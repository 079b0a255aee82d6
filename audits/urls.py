from aims.plugins import urlpatterns_for

from . import standard

urlpatterns = urlpatterns_for(standard)
