"""Evidence packs: a ZIP of the records and evidence behind each clause and control, as of a date,
with a signed manifest so that any change made after export is detectable. See build.py."""
