"""An outside auditor's access (audits.models.GuestAccess): the AIMS manager's pages to invite, follow and
revoke it, and the guest's own pages -- the invitation, and the audit's records read-only."""
