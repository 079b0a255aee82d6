"""The Do registers (clause 8, Annex A), each declared as an aims.register.Register subclass in a module
of its own, or in a package of its own when it has more to it (kpis/, incidents/, impact_assessments/,
bias/: the register in register.py, its services, forms, views and API beside it). Found by discovery:
see aims/plugins.py."""
