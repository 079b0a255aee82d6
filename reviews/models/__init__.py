"""Act: management reviews (9.3), nonconformities and corrective actions (10.2), lessons learned (10.1)."""
