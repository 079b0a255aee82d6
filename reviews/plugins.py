"""What the Act registers plug into the core: navigation, API routes, reminders."""

from aims.plugins import install

from . import standard

install(standard, cycle="Act")
