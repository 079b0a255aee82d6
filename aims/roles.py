"""The four roles of DESIGN.md, held as auth groups created by migration."""

MANAGER = "AIMS manager"
BOARD = "Governance board"
OWNER = "Owner"
AUDITOR = "Auditor"

ALL = (MANAGER, BOARD, OWNER, AUDITOR)

# Short names for the command line and the API.
BY_SLUG = {"manager": MANAGER, "board": BOARD, "owner": OWNER, "auditor": AUDITOR}
